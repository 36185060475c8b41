#!/usr/bin/env python3
"""Generates the body of sakke_fp_mulx.c: fully unrolled 1024-bit
Montgomery multiplication (finely integrated product scanning) with BMI2
mulx and two 192-bit column accumulators (a*b products into a fresh one per
column, m*p products into the running one, so the next column's a*b
products need not wait for m), then the masked final subtraction of p.
Usage: python3 sakke_fp_mulx_gen.py > body.inc, then paste between the
markers in sakke_fp_mulx.c (and clang-format it).  Straight-line code: no
branch and no data-dependent address."""
import sys
N=16
L=[]
A_=["%[a0]","%[a1]","%[a2]"]; M_=["%[m0]","%[m1]","%[m2]"]
def mac(acc, src_rdx, src_mem):
    L.append(f"movq {src_rdx}, %%rdx")
    L.append(f"mulxq {src_mem}, %[lo], %[hi]")
    L.append(f"addq %[lo], {acc[0]}")
    L.append(f"adcq %[hi], {acc[1]}")
    L.append(f"adcq $0, {acc[2]}")
def A(j): return f"{8*j}(%[a])"
def B(j): return f"{8*j}(%[b])"
def P(j): return f"{8*j}(%[p])"
def M(j): return f"{8*j}(%[m])"
def R(j): return f"{8*(16+j)}(%[m])"
def zero(r): L.append(f"xorl %k{r[1:]}, %k{r[1:]}".replace("%k%[","%k["))
for r in A_+M_: zero(r)
def merge():
    L.append(f"addq {M_[0]}, {A_[0]}"); L.append(f"adcq {M_[1]}, {A_[1]}"); L.append(f"adcq {M_[2]}, {A_[2]}")
    for r in M_: zero(r)
def col(pairs_ab, pairs_mp):
    # interleave
    n=max(len(pairs_ab),len(pairs_mp))
    for k in range(n):
        if k<len(pairs_ab): mac(M_, *pairs_ab[k])
        if k<len(pairs_mp): mac(A_, *pairs_mp[k])
for i in range(N):
    col([(B(i-j),A(j)) for j in range(i+1)], [(M(j),P(i-j)) for j in range(i)])
    merge()
    L.append(f"movq {A_[0]}, %%rdx"); L.append("imulq %[pinv], %%rdx"); L.append(f"movq %%rdx, {M(i)}")
    L.append(f"mulxq {P(0)}, %[lo], %[hi]")
    L.append(f"addq %[lo], {A_[0]}"); L.append(f"adcq %[hi], {A_[1]}"); L.append(f"adcq $0, {A_[2]}")
    A_=[A_[1],A_[2],A_[0]]; zero(A_[2])
for i in range(N,2*N-1):
    col([(B(i-j),A(j)) for j in range(i-N+1,N)], [(M(j),P(i-j)) for j in range(i-N+1,N)])
    merge()
    L.append(f"movq {A_[0]}, {R(i-N)}")
    A_=[A_[1],A_[2],A_[0]]; zero(A_[2])
L.append(f"movq {A_[0]}, {R(N-1)}")
L.append(f"movq {A_[1]}, {R(N)}")
# final subtraction: u = r - p into m[0..15] (the m words are no longer
# needed); keep = r[16] - borrow is all ones iff r < p; out = keep ? r : u
for j in range(N):
    L.append(f"movq {R(j)}, %[lo]")
    L.append(f"{'subq' if j == 0 else 'sbbq'} {P(j)}, %[lo]")
    L.append(f"movq %[lo], {M(j)}")
L.append(f"movq {R(N)}, %[hi]")
L.append("sbbq $0, %[hi]")
L.append("movq %[outp], %[b]")
for j in range(N):
    L.append(f"movq {R(j)}, %[lo]")
    L.append(f"movq {M(j)}, %[a0]")
    L.append("xorq %[a0], %[lo]")
    L.append("andq %[hi], %[lo]")
    L.append("xorq %[a0], %[lo]")
    L.append(f"movq %[lo], {8*j}(%[b])")
sys.stdout.write("\n".join('\t\t"'+l+'\\n\\t"' for l in L)+"\n")
