"""The sympy symbols of docs/theorem_sheet.md, with the assumptions each result relies on.

Names follow docs/conventions.md: ``r_e`` steering coefficient, ``lam`` (Assumption 1),
``Delta`` margin (Assumption 2), ``eps`` tail mass (Assumption 3), ``eps_mis`` misclassified
mass (Assumption 4), ``D`` penetration depth, ``k`` top-k size, ``ell`` response length.
"""

from __future__ import annotations

import sympy as sp

# Steering coefficient and the linear-response constant.
r_e = sp.Symbol("r_e", real=True)
lam = sp.Symbol("lambda", positive=True)
Delta = sp.Symbol("Delta", positive=True)

# Behavior (Theorems 1, 3, 6; Corollary 1).
B0 = sp.Symbol("B_0", real=True)
B_min = sp.Symbol("B_min", real=True)
p_A = sp.Symbol("p_A", positive=True)
p_M = sp.Symbol("p_M", positive=True)
target_eps = sp.Symbol("epsilon", positive=True)  # Corollary 1: target level 1 - eps
eps_mis = sp.Symbol("epsilon_mis", nonnegative=True)
D = sp.Symbol("D", real=True)
ell = sp.Symbol("ell", positive=True)

# Theorems 4 and 5.
p_plus = sp.Symbol("p_+", positive=True)
p_minus = sp.Symbol("p_-", nonnegative=True)
p_zero = sp.Symbol("p_0", nonnegative=True)
p_ge = sp.Symbol("p_{>=b}", nonnegative=True)
b_thr = sp.Symbol("b", real=True)

# Helpfulness (Theorem 2, Corollaries 2 and 3).
P0 = sp.Symbol("P_0", positive=True)
Q_plus = sp.Symbol("Q_+", nonnegative=True)
Q_minus = sp.Symbol("Q_-", nonnegative=True)
G_plus = sp.Symbol("G_+", nonnegative=True)
G_minus = sp.Symbol("G_-", nonnegative=True)
alpha = sp.Symbol("alpha", nonnegative=True)
sigma = sp.Symbol("sigma", nonnegative=True)
beta = sp.Symbol("beta", nonnegative=True)
eps = sp.Symbol("epsilon_tail", nonnegative=True)
k = sp.Symbol("k", positive=True, integer=True)
sum_sq = sp.Symbol("S_2", nonnegative=True)  # sum_{t != c} P0(t)^2

# Fit parameters.
slope = sp.Symbol("s", real=True)
offset = sp.Symbol("o", real=True)
fit_a = sp.Symbol("a", nonnegative=True)
fit_b = sp.Symbol("b_fit", real=True)

# Generic variables for lemmas.
x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)
z = sp.Symbol("z", real=True)

# Abstract quantities used inside proofs (steered quantities, tilted masses, slacks).
B_r = sp.Symbol("B_{r_e}", real=True)  # steered behavior expectation B[P_{r_e}]
H_r = sp.Symbol("H_{r_e}", nonnegative=True)  # steered helpfulness P_{r_e}(c)
r_nn = sp.Symbol("r_e", nonnegative=True)  # r_e under the hypothesis r_e >= 0
r_np = sp.Symbol("r_e", nonpositive=True)  # r_e under the hypothesis r_e <= 0
S_A = sp.Symbol("S_A", positive=True)  # sum_{t in A} P0(t) e^{<u_t, delta>}
S_M = sp.Symbol("S_M", positive=True)
S_out = sp.Symbol("S_out", nonnegative=True)  # tilted mass outside T (and of ties g_t = 0)
S_plus = sp.Symbol("S_+", nonnegative=True)
S_minus = sp.Symbol("S_-", nonnegative=True)
m_A = sp.Symbol("m_A", real=True)  # min_{a in A} <u_a, v>
M_M = sp.Symbol("M_M", real=True)  # max_{m in M} <u_m, v>
slack = sp.Symbol("s_Delta", nonnegative=True)  # m_A - M_M - Delta >= 0
P_par, Q_par = sp.symbols("P Q", positive=True)  # p_A = P/(P+Q), p_M = Q/(P+Q)
m_Q = sp.Symbol("m_Q", nonnegative=True)  # min(Q+, Q-)
m_G = sp.Symbol("m_G", nonnegative=True)  # min(G+, G-)
s_Q = sp.Symbol("s_Q", nonnegative=True)
s_Qm = sp.Symbol("s_Q-", nonnegative=True)
s_G = sp.Symbol("s_G", nonnegative=True)
s_Gm = sp.Symbol("s_G-", nonnegative=True)
