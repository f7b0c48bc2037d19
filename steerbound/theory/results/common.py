"""Abstract symbols used inside proofs (steered quantities, tilted masses, slacks)."""

from __future__ import annotations

import sympy as sp

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
