"""Export trained LIF networks to NIR (Neuromorphic Intermediate Representation) and back.

An optional extra: ``pip install "neurograd[nir]"`` installs the ``nir`` package (imported only
when a function here is called).

NIR nodes are continuous-time ODEs; a graph carries neither the step ``dt`` nor the
discretisation, nor when a recurrent edge acts (Pedersen et al. 2024; the pitfalls of
``docs/python.md``, "NIR"). This module fixes one convention, states it in the graph's metadata,
and :func:`simulate` runs a graph under it:

- **units**: seconds (``tau``, ``dt``, ``delay``); potentials in the network's own units;
- **discretisation**: exact exponential integration of each ``LI`` node over one step with its
  input held constant over the step (zero-order hold): ``v <- a v + (1 - a)(v_leak + r I)``,
  ``a = exp(-dt/tau)``. This is neurograd's neuron (``v <- alpha v + zeta I``) with ``tau =
  tau_m``, ``r = zeta / (1 - alpha)``. Forward Euler (``a = 1 - dt/tau``, what snnTorch's
  exporter assumes) is a different network: :func:`simulate` offers it only as a control;
- **recurrence**: the one-step delay of the recurrent spikes is an explicit ``Delay`` node of
  ``dt``; every other edge acts within the step;
- **reset**: NIR's ``LIF`` resets *to* ``v_reset``, neurograd's neuron resets *by subtraction*
  of ``v_th``. The export therefore uses ``LI`` + ``Threshold`` nodes and writes the reset as a
  ``Scale`` node of ``-v_th / zeta`` on the delayed spikes, next to the recurrent weights;
- **refused**: ALIF neurons (NIR has no adaptive-threshold node) and refractoriness (NIR has
  none).

The graph (node names are part of the format :func:`from_nir` reads)::

    input -> w_in (Affine W_in, b) -> lif (LI) -> spike (Threshold v_th) -> w_out (Affine) ->
    readout (LI tau_out) -> output;   spike -> delay (Delay dt) -> {w_rec (Linear), reset (Scale)} -> lif

Examples
--------
>>> from neurograd import spiking, nir as ngnir
>>> net, _ = spiking.train("randman", "bptt-sg", iterations=20)
>>> graph = ngnir.to_nir(net, dt=1e-3)          # dt in seconds: the network's own step
>>> import nir; nir.write("net.nir", graph)
>>> net2 = ngnir.from_nir(nir.read("net.nir"), dt=1e-3)
"""
import math

import numpy as np

from . import spiking

#: The discretisation the exported graphs assume (also in each graph's metadata).
DISCRETISATION = "exact-exponential, zero-order hold"

_REL = 1e-12  # relative tolerance of the checks on values recomputed from a graph


def _nir():
    try:
        import nir
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("neurograd.nir needs the `nir` package: pip install "
                          "\"neurograd[nir]\" (or pip install nir)") from e
    return nir


def _close(a, b, rel=_REL):
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


def _uniform(name, a):
    a = np.asarray(a, dtype=float).ravel()
    if a.size == 0 or not np.all(a == a[0]):
        raise ValueError(f"node '{name}' has per-neuron values that differ; neurograd's "
                         "network shares them across neurons")
    return float(a[0])


def to_nir(net, dt=None):
    """The NIR graph of an all-LIF :class:`neurograd.spiking.SpikingNet` (see the module docs).

    Parameters
    ----------
    net : SpikingNet
        A network without ALIF neurons and without refractoriness.
    dt : float, optional
        The step in **seconds**; it must be the network's own (``dt_ms / 1000``). NIR graphs do
        not carry it, so it is asked for explicitly and written to the graph's metadata.

    Returns
    -------
    nir.NIRGraph

    Raises
    ------
    ValueError
        ALIF neurons, refractoriness, or a ``dt`` that is not the network's step.
    """
    nir = _nir()
    c = spiking.config(net)
    dt_net = c["dt_ms"] / 1000.0
    if dt is None:
        dt = dt_net
    if not _close(float(dt), dt_net):
        raise ValueError(f"dt={dt!r} s is not the network's step (dt_ms={c['dt_ms']!r}, i.e. "
                         f"{dt_net!r} s); NIR graphs carry no dt, pass the network's own, in "
                         "seconds")
    if c["n_alif"] > 0:
        raise ValueError(f"cannot export ALIF neurons to NIR: the network has {c['n_alif']} "
                         "ALIF (adaptive-threshold) neurons and NIR has no adaptive-threshold "
                         "node; only all-LIF networks (n_alif=0) export")
    lif = c["lif"]
    if lif["n_ref"] != 0:
        raise ValueError(f"cannot export refractory neurons to NIR (n_ref={lif['n_ref']}): NIR "
                         "nodes have no refractoriness")
    n, n_in, n_out = c["n_lif"], c["n_in"], c["n_out"]
    w_in, w_rec, b, w_out, b_out = (np.array(p, dtype=float) for p in net.params())
    alpha = math.exp(-c["dt_ms"] / lif["tau_m_ms"])
    zeta = 1.0 if lif["input_scaling"] == "Unit" else 1.0 - alpha
    kappa = math.exp(-c["dt_ms"] / c["tau_out_ms"])
    full = lambda v, k: np.full(k, float(v))  # noqa: E731
    nodes = {
        "input": nir.Input(input_type={"input": np.array([n_in])}),
        "w_in": nir.Affine(weight=w_in, bias=b[0].copy()),
        "lif": nir.LI(tau=full(lif["tau_m_ms"] / 1000.0, n), r=full(zeta / (1.0 - alpha), n),
                      v_leak=np.zeros(n)),
        "spike": nir.Threshold(threshold=full(lif["v_th"], n)),
        "delay": nir.Delay(delay=full(dt, n)),
        "w_rec": nir.Linear(weight=w_rec),
        "w_out": nir.Affine(weight=w_out, bias=b_out[0].copy()),
        "readout": nir.LI(tau=full(c["tau_out_ms"] / 1000.0, n_out),
                          r=full(1.0 / (1.0 - kappa), n_out), v_leak=np.zeros(n_out)),
        "output": nir.Output(output_type={"output": np.array([n_out])}),
    }
    edges = [("input", "w_in"), ("w_in", "lif"), ("lif", "spike"), ("spike", "delay"),
             ("delay", "w_rec"), ("w_rec", "lif"), ("spike", "w_out"), ("w_out", "readout"),
             ("readout", "output")]
    if c["reset"] != "Off":
        nodes["reset"] = nir.Scale(scale=full(-lif["v_th"] / zeta, n))
        edges += [("delay", "reset"), ("reset", "lif")]
    meta = {"source": "neurograd", "dt": float(dt), "units": "s",
            "discretisation": DISCRETISATION,
            "recurrence": "explicit Delay node of dt; other edges act within the step",
            "reset": "by subtraction (Scale node on the delayed spikes)"
            if c["reset"] != "Off" else "none"}
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=meta)


def from_nir(graph, dt):
    """A :class:`neurograd.spiking.SpikingNet` from a graph written by :func:`to_nir`.

    Parameters
    ----------
    graph : nir.NIRGraph
        A graph of :func:`to_nir`'s form (e.g. ``nir.read(path)``).
    dt : float
        The step in **seconds** (required: NIR graphs carry no dt; a graph whose metadata
        declares another one is refused).

    Returns
    -------
    SpikingNet
        With the graph's weights; the gradient convention of the reset is not part of NIR and
        is set to ``detached``.
    """
    nir = _nir()
    dt = float(dt)
    declared = graph.metadata.get("dt") if graph.metadata else None
    if declared is not None and not _close(float(declared), dt):
        raise ValueError(f"dt={dt!r} s differs from the dt the graph was exported with "
                         f"({float(declared)!r} s)")
    disc = graph.metadata.get("discretisation") if graph.metadata else None
    if disc is not None and disc != DISCRETISATION:
        raise ValueError(f"the graph declares the discretisation {disc!r}, not {DISCRETISATION!r}")
    nd = graph.nodes
    want = {"input": nir.Input, "w_in": nir.Affine, "lif": nir.LI, "spike": nir.Threshold,
            "delay": nir.Delay, "w_rec": nir.Linear, "w_out": nir.Affine, "readout": nir.LI,
            "output": nir.Output}
    for name, cls in want.items():
        if not isinstance(nd.get(name), cls):
            raise ValueError(f"not a graph of neurograd.nir.to_nir's form: node '{name}' should "
                             f"be {cls.__name__}, found {type(nd.get(name)).__name__}")
    has_reset = "reset" in nd
    edges = {tuple(e) for e in graph.edges}
    expected = {("input", "w_in"), ("w_in", "lif"), ("lif", "spike"), ("spike", "delay"),
                ("delay", "w_rec"), ("w_rec", "lif"), ("spike", "w_out"), ("w_out", "readout"),
                ("readout", "output")}
    if has_reset:
        expected |= {("delay", "reset"), ("reset", "lif")}
    if edges != expected:
        raise ValueError(f"not a graph of neurograd.nir.to_nir's form: edges {sorted(edges)}")
    delay = _uniform("delay", nd["delay"].delay)
    if not _close(delay, dt):
        raise ValueError(f"the recurrent Delay node is {delay!r} s, not one step of dt={dt!r} s")
    tau_m_ms = _uniform("lif", nd["lif"].tau) * 1000.0
    r = _uniform("lif", nd["lif"].r)
    if np.any(np.asarray(nd["lif"].v_leak) != 0):
        raise ValueError("node 'lif' has v_leak != 0; neurograd's neurons leak to 0")
    alpha = math.exp(-dt * 1000.0 / tau_m_ms)
    if _close(r * (1.0 - alpha), 1.0, 1e-9):
        scaling, zeta = "unit", 1.0
    elif _close(r, 1.0, 1e-9):
        scaling, zeta = "one-minus-alpha", 1.0 - alpha
    else:
        raise ValueError(f"node 'lif' has r={r!r}: neither 1/(1 - alpha) (input scaling 1) nor 1 "
                         f"(input scaling 1 - alpha) at dt={dt!r} s, tau={tau_m_ms / 1000!r} s")
    v_th = _uniform("spike", nd["spike"].threshold)
    if has_reset:
        s = _uniform("reset", nd["reset"].scale)
        if not _close(s, -v_th / zeta, 1e-9):
            raise ValueError(f"node 'reset' scales by {s!r}, not -v_th/zeta = {-v_th / zeta!r}: "
                             "not a reset by subtraction of the threshold")
    tau_out_ms = _uniform("readout", nd["readout"].tau) * 1000.0
    kappa = math.exp(-dt * 1000.0 / tau_out_ms)
    if not _close(_uniform("readout", nd["readout"].r) * (1.0 - kappa), 1.0, 1e-9):
        raise ValueError("node 'readout' has r != 1/(1 - kappa): not neurograd's leaky readout")
    w_in = np.asarray(nd["w_in"].weight, dtype=float)
    w_out = np.asarray(nd["w_out"].weight, dtype=float)
    n, n_in = w_in.shape
    n_out = w_out.shape[0]
    cfg = spiking.lif_config(n_in, n, n_out, tau_m_ms=tau_m_ms, v_th=v_th, n_ref=0,
                             input_scaling=scaling, tau_out_ms=tau_out_ms, dt_ms=dt * 1000.0,
                             reset="detached" if has_reset else "off")
    params = [w_in, np.asarray(nd["w_rec"].weight, dtype=float),
              np.asarray(nd["w_in"].bias, dtype=float).reshape(1, n), w_out,
              np.asarray(nd["w_out"].bias, dtype=float).reshape(1, n_out)]
    return spiking.network(cfg, params=params)


def simulate(graph, x, dt, method="exact"):
    """Runs a NIR graph of ``Input``, ``Affine``, ``Linear``, ``Scale``, ``LI``, ``Threshold``,
    ``Delay`` and ``Output`` nodes on inputs ``x`` ``(T, B, n_in)`` with step ``dt`` (seconds),
    independently of neurograd's Rust network (NumPy).

    ``method="exact"`` is the convention of :func:`to_nir` (exact exponential, zero-order hold);
    ``"euler"`` integrates ``LI`` nodes with forward Euler (``a = 1 - dt/tau``), the convention
    of other exporters, to show what reading a graph under the wrong convention does. A node's
    input is the sum of its predecessors' outputs; a ``Delay`` node outputs its input of
    ``round(delay/dt)`` steps before (zeros before that), which must be a whole number >= 1.
    Every node needs a predecessor but ``Input``.

    Returns
    -------
    dict
        Node name -> its outputs over time, ``(T, B, size)`` (``LI``: the potential;
        ``Threshold``: the spikes).
    """
    nir = _nir()
    if method not in ("exact", "euler"):
        raise ValueError(f"method must be 'exact' or 'euler', not {method!r}")
    x = np.asarray(x, dtype=float)
    t_len, bsz = x.shape[0], x.shape[1]
    nodes, edges = graph.nodes, [tuple(e) for e in graph.edges]
    preds = {k: [s for s, d in edges if d == k] for k in nodes}
    delays = {}
    for k, nd in nodes.items():
        if isinstance(nd, nir.Delay):
            steps = _uniform(k, nd.delay) / dt
            if abs(steps - round(steps)) > 1e-9 or round(steps) < 1:
                raise ValueError(f"Delay node '{k}' is {steps!r} steps of dt={dt!r} s; "
                                 "it must be a whole number >= 1")
            delays[k] = int(round(steps))
    # same-step dependencies: every edge but those into a Delay node
    order, seen = [], set()

    def visit(k, stack=()):
        if k in seen:
            return
        if k in stack:
            raise ValueError(f"the graph has a cycle without a Delay node through '{k}'")
        if k not in delays:
            for p in preds[k]:
                visit(p, stack + (k,))
        seen.add(k)
        order.append(k)

    for k in nodes:
        visit(k)
    state, out, hist = {}, {k: [] for k in nodes}, {k: [] for k in delays}
    for t in range(t_len):
        cur = {}
        for k in order:
            nd = nodes[k]
            if k in delays:
                h = hist[k]
                d = delays[k]
                cur[k] = h[-d] if len(h) >= d else np.zeros((bsz, np.asarray(nd.delay).size))
                continue
            if isinstance(nd, nir.Input):
                cur[k] = x[t]
                continue
            i = sum(cur[p] for p in preds[k])
            if isinstance(nd, nir.Affine):
                y = i @ np.asarray(nd.weight).T + np.asarray(nd.bias)
            elif isinstance(nd, nir.Linear):
                y = i @ np.asarray(nd.weight).T
            elif isinstance(nd, nir.Scale):
                y = i * np.asarray(nd.scale)
            elif isinstance(nd, nir.LI):
                tau, r, vl = (np.asarray(a, dtype=float) for a in (nd.tau, nd.r, nd.v_leak))
                a = np.exp(-dt / tau) if method == "exact" else 1.0 - dt / tau
                v = state.get(k, np.zeros((bsz, tau.size)))
                y = a * v + (1.0 - a) * (vl + r * i)
                state[k] = y
            elif isinstance(nd, nir.Threshold):
                y = (i > np.asarray(nd.threshold)).astype(float)
            elif isinstance(nd, nir.Output):
                y = i
            else:
                raise ValueError(f"node '{k}': {type(nd).__name__} is not supported here")
            cur[k] = y
        for k in delays:
            hist[k].append(sum(cur[p] for p in preds[k]))
        for k in nodes:
            out[k].append(cur[k])
    return {k: np.stack(v) for k, v in out.items()}


__all__ = ["DISCRETISATION", "to_nir", "from_nir", "simulate"]
