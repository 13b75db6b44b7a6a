#!/usr/bin/env python3
"""A small particle-in-cell (PIC) code for 1D1V Vlasov-Poisson, standing in
for "your own solver" (studies/examples/pic-landau.yaml checks it against
mfh's semi-Lagrangian Vlasov solver; docs/tutorial.md explains how).

Electrons with a neutralising ion background on the torus [0, L), L = 2 pi/k:
    d_t f + v d_x f - E d_v f = 0,   d_x E = 1 - rho,   rho = int f dv,
from Landau's initial data f0 = (1 + alpha cos(k x)) exp(-v^2/2)/sqrt(2 pi).
N particles of mass L/N drawn i.i.d. from f0 (numpy's PCG64, seeded by mfh),
cloud-in-cell (CIC) charge assignment on nx cells, the field from the FFT,
interpolated back with the same CIC weights, and velocity Verlet (kick-
drift-kick) with step dt.

At each output time it writes the phase-space density as mfh's phase_grid
state: f on the nodes x_i = i dx (i < nx, dx = L/nx) and
v_j = -vmax + j dv (j < nv, dv = 2 vmax/(nv - 1)), deposited from the
particles with CIC weights in x and v: an (nx, nv) float64 .npy array.
It prints the field energy (1/2) int E^2 dx at each output time as JSON.

usage: pic_landau.py --N N --k K --alpha A --nx NX --nv NV --vmax VMAX
                     --dt DT --seed SEED --times T0,T1,.. --out F0.npy,F1.npy,..
"""
import argparse
import json
import sys

import numpy as np


def cic(x, h, n):
    """Left node index and weight of the right node, periodic on n cells of size h."""
    s = x / h
    i = np.floor(s).astype(np.int64)
    return i % n, s - i


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name, kind in (("N", int), ("k", float), ("alpha", float), ("nx", int), ("nv", int),
                       ("vmax", float), ("dt", float), ("seed", int)):
        ap.add_argument("--" + name, type=kind, required=True)
    ap.add_argument("--times", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    times = [float(t) for t in a.times.split(",")]
    outs = a.out.split(",")
    if len(times) != len(outs):
        sys.exit("pic_landau.py: as many output files as times, please")
    L = 2 * np.pi / a.k
    dx = L / a.nx
    rng = np.random.default_rng(a.seed)

    # initial particles: x by rejection from 1 + alpha cos(k x), v ~ N(0, 1)
    x = np.empty(0)
    while x.size < a.N:
        c = rng.uniform(0, L, 2 * a.N)
        keep = rng.uniform(0, 1 + a.alpha, 2 * a.N) <= 1 + a.alpha * np.cos(a.k * c)
        x = np.concatenate([x, c[keep]])
    x = x[:a.N]
    v = rng.standard_normal(a.N)
    q = L / a.N  # the mass (charge) of a particle
    kx = 2 * np.pi * np.fft.rfftfreq(a.nx, d=dx)

    def field():
        """E on the nodes and at the particles, and the field energy."""
        i, w = cic(x, dx, a.nx)
        rho = (np.bincount(i, 1 - w, a.nx) + np.bincount((i + 1) % a.nx, w, a.nx)) * q / dx
        rhs = np.fft.rfft(1 - rho)
        ek = np.zeros_like(rhs)
        ek[1:] = rhs[1:] / (1j * kx[1:])
        e = np.fft.irfft(ek, a.nx)
        return e, e[i] * (1 - w) + e[(i + 1) % a.nx] * w, 0.5 * np.sum(e * e) * dx

    def density():
        """f on the (x, v) nodes: CIC weights in both directions."""
        dv = 2 * a.vmax / (a.nv - 1)
        i, wx = cic(x, dx, a.nx)
        s = (v + a.vmax) / dv
        j = np.floor(s).astype(np.int64)
        wv = s - j
        f = np.zeros((a.nx, a.nv))
        for di, wi in ((0, 1 - wx), (1, wx)):
            for dj, wj in ((0, 1 - wv), (1, wv)):
                jj = j + dj
                ok = (jj >= 0) & (jj < a.nv)
                np.add.at(f, ((i[ok] + di) % a.nx, jj[ok]), (wi * wj)[ok])
        return f * q / (dx * dv)

    t, energies = 0.0, []
    _, ep, _ = field()
    for target, out in zip(times, outs):
        for _ in range(int(round((target - t) / a.dt))):
            v -= 0.5 * a.dt * ep  # acceleration -E
            x = (x + a.dt * v) % L
            _, ep, _ = field()
            v -= 0.5 * a.dt * ep
        t = target
        energies.append(field()[2])
        np.save(out, density())
    print(json.dumps({"field_energy": energies}))


if __name__ == "__main__":
    main()
