"""Spike-timing rules from Python: `rules.spike_delta`, `rules.stdp_population` and
`rules.check_spike`. The reference is an independent NumPy brute-force sum over every spike pair
(triplet) of the kernel written out here, and the `neurograd` command's JSON."""
import numpy as np
import pytest

from neurograd import errors, rules

# Song, Miller & Abbott (2000): A+ = 0.005, A- = 1.05 A+, tau+ = tau- = 20 ms
SONG = dict(a_plus=0.005, a_minus=1.05 * 0.005, tau_plus=20.0, tau_minus=20.0)
# Pfister & Gerstner (2006), Table 4, visual cortex, all-to-all full model
PG_VISUAL = dict(a2_plus=5e-10, a3_plus=6.2e-3, a2_minus=7e-3, a3_minus=2.3e-4, tau_plus=16.8,
                 tau_minus=33.7, tau_x=101.0, tau_y=125.0)


def _earlier(t, s, tau):
    """exp(-(t_k - s_l)/tau) where s_l < t_k, else 0: the (len(t), len(s)) pair matrix."""
    d = t[:, None] - s[None, :]
    return np.where(d > 0, np.exp(-np.where(d > 0, d, 0.0) / tau), 0.0)


def _nearest(t, s, tau):
    """Per t_k, exp(-(t_k - s)/tau) for the nearest earlier s (0 if none)."""
    i = np.searchsorted(s, t, side="left") - 1
    out = np.zeros(len(t))
    ok = i >= 0
    out[ok] = np.exp(-(t[ok] - s[i[ok]]) / tau)
    return out


def triplet_increments(pre, post, k, nearest=False):
    """The increments of the triplet kernel (Pfister & Gerstner 2006) at each post and pre
    spike: post t: + r1(t) [A2+ + A3+ o2(t-)]; pre t: - o1(t) [A2- + A3- r2(t-)]. Returns
    (times, increments)."""
    pre, post = np.asarray(pre, float), np.asarray(post, float)
    if nearest:
        r1 = _nearest(post, pre, k["tau_plus"])
        o1 = _nearest(pre, post, k["tau_minus"])
    else:
        r1 = _earlier(post, pre, k["tau_plus"]).sum(axis=1)
        o1 = _earlier(pre, post, k["tau_minus"]).sum(axis=1)
    o2 = _earlier(post, post, k.get("tau_y", 1.0)).sum(axis=1) if k.get("a3_plus", 0) else 0.0
    r2 = _earlier(pre, pre, k.get("tau_x", 1.0)).sum(axis=1) if k.get("a3_minus", 0) else 0.0
    up = r1 * (k["a2_plus"] + k.get("a3_plus", 0.0) * o2)
    down = -o1 * (k["a2_minus"] + k.get("a3_minus", 0.0) * r2)
    return np.concatenate([post, pre]), np.concatenate([up, down])


def pair(p):
    return dict(a2_plus=p["a_plus"], a2_minus=p["a_minus"], tau_plus=p["tau_plus"],
                tau_minus=p["tau_minus"])


def brute(pre, post, k, nearest=False, rewards=None, tau_e=None):
    t, inc = triplet_increments(pre, post, k, nearest)
    if tau_e is None:
        return inc.sum()
    r = np.asarray(rewards, float).reshape(-1, 2)
    d = r[None, :, 0] - t[:, None]       # reward time - increment time
    gate = (np.where(d >= 0, np.exp(-np.where(d >= 0, d, 0.0) / tau_e), 0.0) * r[None, :, 1])
    return (gate.sum(axis=1) * inc).sum()


def trains(seed, n_pre=60, n_post=45, t_max=1000.0):
    """Sorted spike times on a 0.5 ms grid: ties across and within the trains."""
    rng = np.random.default_rng(seed)
    grid = lambda n: np.sort(np.round(rng.uniform(0.0, t_max, n) * 2) / 2)
    return grid(n_pre), grid(n_post)


def test_registered_kernels_are_the_published_sets():
    k = rules.spike_kernel("pair-stdp")
    assert (k["a2_plus"], k["a2_minus"], k["tau_plus"], k["tau_minus"]) == (
        SONG["a_plus"], SONG["a_minus"], SONG["tau_plus"], SONG["tau_minus"])
    assert k["a3_plus"] == 0 and k["a3_minus"] == 0 and k["pairing"] == "all-to-all"
    assert k["tau_e"] is None
    assert rules.spike_kernel("pair-stdp-nearest")["pairing"] == "nearest"
    t = rules.spike_kernel("triplet-stdp")
    assert {n: t[n] for n in PG_VISUAL} == PG_VISUAL
    assert rules.spike_kernel("reward-stdp")["tau_e"] == 200.0
    assert rules.spike_kernel("pair-stdp", tau_plus=7.0)["tau_plus"] == 7.0
    assert set(rules.spike_names()) == {r["name"] for r in rules.list_rules()["rules"]
                                        if r["kind"] == "spike"}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spike_delta_equals_numpy_brute_force(seed):
    pre, post = trains(seed)
    scale = brute(pre, post, pair(SONG))
    for name, kernel, nearest in [("pair-stdp", pair(SONG), False),
                                  ("pair-stdp-nearest", pair(SONG), True),
                                  ("triplet-stdp", PG_VISUAL, False)]:
        want = brute(pre, post, kernel, nearest)
        got = rules.spike_delta(name, pre, post, w0=0.3)
        mag = np.abs(triplet_increments(pre, post, kernel, nearest)[1]).sum()
        assert abs(got - want) <= 1e-12 * mag, (name, got, want)
    # changed parameters: an anti-Hebbian-free window with other time constants
    p = dict(a_plus=0.01, a_minus=0.002, tau_plus=5.0, tau_minus=50.0)
    want = brute(pre, post, pair(p))
    assert want != pytest.approx(scale)
    assert rules.spike_delta("pair-stdp", pre, post, **p) == pytest.approx(want, rel=1e-12,
                                                                            abs=1e-15)
    # reward-modulated STDP: every increment gated by the discounted rewards that read it
    rng = np.random.default_rng(seed + 10)
    rew = np.column_stack([np.sort(rng.uniform(0, 1000, 30)), rng.normal(size=30)])
    rew[3, 0] = post[5]                       # a reward at a spike time reads that increment
    rew = rew[np.argsort(rew[:, 0], kind="stable")]
    want = brute(pre, post, pair(SONG), rewards=rew, tau_e=200.0)
    got = rules.spike_delta("reward-stdp", pre, post, rewards=rew)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-15)
    got = rules.spike_delta("reward-stdp", pre, post, rewards=rew, tau_e=50.0)
    assert got == pytest.approx(brute(pre, post, pair(SONG), rewards=rew, tau_e=50.0),
                                rel=1e-12, abs=1e-15)


def test_spike_delta_hand_example():
    # pairs (10, 15): +0.005 e^(-5/20); (50, 15): -0.00525 e^(-35/20)
    got = rules.spike_delta("pair-stdp", [10.0, 50.0], [15.0])
    assert got == pytest.approx(0.005 * np.exp(-0.25) - 0.00525 * np.exp(-1.75), rel=1e-14)
    assert rules.spike_delta("pair-stdp", [], []) == 0.0


def test_parameters_at_their_defaults_rebuild_the_registered_rule():
    pre, post = trains(5)
    for name in rules.spike_names():
        k = rules.spike_kernel(name)
        params = {n: k[n] for n in ("a2_plus", "a2_minus", "tau_plus", "tau_minus")}
        if k["a3_plus"] or k["a3_minus"]:
            params.update({n: k[n] for n in ("a3_plus", "a3_minus", "tau_x", "tau_y")})
        rew = None
        if k["tau_e"] is not None:
            params["tau_e"] = k["tau_e"]
            rew = [[100.0, 1.0], [500.0, -0.5]]
        assert rules.spike_delta(name, pre, post, rewards=rew, **params) == \
            rules.spike_delta(name, pre, post, rewards=rew), name


def test_spike_delta_errors():
    ok = np.array([1.0, 2.0])
    with pytest.raises(errors.InvalidParameterError,
                       match=r"^invalid parameter pre spike times = t\[1\] = 1 < t\[0\] = 3: "
                             r"spike times must be sorted$"):
        rules.spike_delta("pair-stdp", [3.0, 1.0], ok)
    with pytest.raises(errors.NonFiniteError, match=r"^non-finite value in post spike times"):
        rules.spike_delta("pair-stdp", ok, [1.0, np.nan])
    with pytest.raises(errors.InvalidParameterError, match=r"spike times must be >= 0$"):
        rules.spike_delta("pair-stdp", [-1.0, 2.0], ok)
    with pytest.raises(errors.UnknownNameError, match="valid names: .*pair-stdp"):
        rules.spike_delta("stdpp", ok, ok)
    with pytest.raises(errors.UnknownNameError, match=r"unknown spike rule parameter 'tau'"):
        rules.spike_delta("pair-stdp", ok, ok, tau=3.0)
    with pytest.raises(errors.InvalidParameterError, match="no third factor"):
        rules.spike_delta("pair-stdp", ok, ok, rewards=[[1.0, 1.0]])
    with pytest.raises(errors.InvalidParameterError, match="tau_e"):
        rules.spike_delta("pair-stdp", ok, ok, tau_e=10.0)
    with pytest.raises(errors.InvalidParameterError, match="tau_minus"):
        rules.spike_delta("pair-stdp", ok, ok, tau_minus=0.0)
    with pytest.raises(errors.InvalidParameterError, match="a_minus"):
        rules.spike_delta("pair-stdp", ok, ok, a_minus=-1.0)
    with pytest.raises(errors.ShapeMismatchError):
        rules.spike_delta("reward-stdp", ok, ok, rewards=[[1.0, 1.0, 1.0]])
    with pytest.raises(errors.InvalidParameterError, match="reward times"):
        rules.spike_delta("reward-stdp", ok, ok, rewards=[[5.0, 1.0], [1.0, 1.0]])
    with pytest.raises(errors.NonFiniteError, match="w0"):
        rules.spike_delta("pair-stdp", ok, ok, w0=np.inf)
    with pytest.raises(errors.InvalidParameterError,
                       match=r"^invalid parameter post spike times = an array of 2 dimensions"):
        rules.spike_delta("pair-stdp", ok, np.zeros((2, 2)))
    with pytest.raises(errors.InvalidParameterError, match="rewards = an array of 1 dim"):
        rules.spike_delta("reward-stdp", ok, ok, rewards=[1.0, 2.0])
    with pytest.raises(errors.InvalidParameterError, match="nearest-spike"):
        rules.spike_delta("pair-stdp-nearest", ok, ok, a3_plus=0.1)


def population_brute(pre_r, post_r, dt, w0, p):
    """w[j, i] = w0 + sum over spike pairs of W(t_post - t_pre), spike times at step starts."""
    n_pre, n_post = pre_r.shape[1], post_r.shape[1]
    w, mag = np.full((n_post, n_pre), w0), np.zeros((n_post, n_pre))
    for j in range(n_post):
        tq = np.flatnonzero(post_r[:, j]) * dt
        for i in range(n_pre):
            tp = np.flatnonzero(pre_r[:, i]) * dt
            d = tq[:, None] - tp[None, :]
            terms = np.where(d > 0, p["a_plus"] * np.exp(-np.abs(d) / p["tau_plus"]),
                             np.where(d < 0, -p["a_minus"] * np.exp(-np.abs(d) / p["tau_minus"]),
                                      0.0))
            w[j, i] += terms.sum()
            mag[j, i] = np.abs(terms).sum()
    return w, mag


def test_stdp_population_equals_numpy_brute_force():
    rng = np.random.default_rng(4)
    pre_r = rng.random((400, 7)) < 0.06
    post_r = rng.random((400, 5)) < 0.08
    for p, w0 in [(SONG, 0.0), (dict(a_plus=0.02, a_minus=0.01, tau_plus=8.0,
                                     tau_minus=30.0), 0.25)]:
        kw = {} if p is SONG else p
        w = rules.stdp_population(pre_r, post_r, 0.5, w0=w0, **kw)
        assert w.shape == (5, 7) and w.dtype == np.float64
        want, mag = population_brute(pre_r, post_r, 0.5, w0, p)
        assert np.all(np.abs(w - want) <= 1e-12 * (mag + abs(w0))), np.abs(w - want).max()
        assert np.abs(w - w0).max() > 1e-3      # the weights moved
    # 0/1 numbers give the same as booleans
    np.testing.assert_array_equal(
        rules.stdp_population(pre_r.astype(float), post_r.astype(np.int64), 0.5),
        rules.stdp_population(pre_r, post_r, 0.5))


def test_stdp_population_errors():
    a = np.zeros((10, 3))
    with pytest.raises(errors.ShapeMismatchError, match="steps"):
        rules.stdp_population(a, np.zeros((9, 2)), 1.0)
    bad = a.copy()
    bad[2, 1] = 0.5
    with pytest.raises(errors.InvalidParameterError, match=r"pre_raster = \[2, 1\] = 0.5"):
        rules.stdp_population(bad, a, 1.0)
    bad[2, 1] = np.nan
    with pytest.raises(errors.NonFiniteError, match="post_raster at index 7"):
        rules.stdp_population(a, bad, 1.0)
    with pytest.raises(errors.InvalidParameterError, match=r"pre_raster = an array of 1 dim"):
        rules.stdp_population(np.zeros(10), a, 1.0)
    with pytest.raises(errors.InvalidParameterError, match="dt"):
        rules.stdp_population(a, a, 0.0)
    with pytest.raises(errors.UnknownNameError, match="stdp_population parameter 'tau_x'"):
        rules.stdp_population(a, a, 1.0, tau_x=3.0)
    with pytest.raises(errors.InvalidParameterError, match="tau_plus"):
        rules.stdp_population(a, a, 1.0, tau_plus=-1.0)


# Python spike rules for the harness: pair STDP summed pair by pair. The harness calls them on
# 100 s trains (2000 x 1000 spikes), so only pairs closer than 40 tau are summed: each pair left
# out adds less than A e^-40 = A 4e-18, far below the trace check's 1e-12 of the sum.


def near_pairs(t, s, span):
    """Indices (k, l) of every pair with |t[k] - s[l]| <= span (t, s sorted)."""
    lo = np.searchsorted(s, t - span, "left")
    hi = np.searchsorted(s, t + span, "right")
    idx = lo[:, None] + np.arange((hi - lo).max(initial=0))[None, :]
    ok = idx < hi[:, None]
    return np.broadcast_to(np.arange(len(t))[:, None], idx.shape)[ok], idx[ok]


def pair_terms(pre, post, p):
    """Window value of every pair with t_post != t_pre, and the index of its later spike into
    concatenate([post, pre])."""
    k, l = near_pairs(post, pre, 40 * max(p["tau_plus"], p["tau_minus"]))
    d = post[k] - pre[l]
    up, down = d > 0, d < 0
    w = np.concatenate([p["a_plus"] * np.exp(-d[up] / p["tau_plus"]),
                        -p["a_minus"] * np.exp(d[down] / p["tau_minus"])])
    return w, np.concatenate([k[up], len(post) + l[down]])


def py_pair(pre, post, w0, p=SONG, flip_depression=False):
    w, _ = pair_terms(pre, post, p)
    return float((np.abs(w) if flip_depression else w).sum())


def py_nearest(pre, post, w0):
    return float(triplet_increments(pre, post, pair(SONG), nearest=True)[1].sum())


def py_reward(pre, post, w0, rewards):
    """Each pair's term read by every later (or simultaneous) reward, discounted by
    exp(-(t_r - t)/200 ms), t the pair's later spike (Izhikevich 2007)."""
    w, later = pair_terms(pre, post, SONG)
    d = rewards[None, :, 0] - np.concatenate([post, pre])[:, None]
    gate = np.where(d >= 0, np.exp(-np.where(d >= 0, d, 0.0) / 200.0), 0.0) @ rewards[:, 1]
    return float((w * gate[later]).sum())


def test_check_spike_passes_a_correct_python_rule():
    rep = rules.check_spike(py_pair, like="pair-stdp")
    assert rep["passes"] is True, rep
    assert rep["kind"] == "spike" and rep["rule"] == "python spike rule"
    assert [r["control"] for r in rep["rows"]].count(True) == 1
    assert rules.check_spike(py_nearest, like="pair-stdp-nearest")["passes"] is True


def test_check_spike_rejects_wrong_python_rules():
    flipped = rules.check_spike(lambda a, b, w: py_pair(a, b, w, flip_depression=True),
                                like="pair-stdp")
    assert flipped["passes"] is False
    assert not any(r["holds"] for r in flipped["rows"] if r["check"].startswith("trace"))
    slow = dict(SONG, tau_plus=40.0)
    wrong_tau = rules.check_spike(lambda a, b, w: py_pair(a, b, w, p=slow), like="pair-stdp")
    assert wrong_tau["passes"] is False
    # the same function passes once the kernel it is held to has its tau
    assert rules.check_spike(lambda a, b, w: py_pair(a, b, w, p=slow), like="pair-stdp",
                             tau_plus=40.0)["passes"] is True
    # all-to-all held to the nearest-spike kernel
    assert rules.check_spike(py_pair, like="pair-stdp-nearest")["passes"] is False


def test_check_spike_reward_gated():
    assert rules.check_spike(py_reward, like="reward-stdp", seed=1)["passes"] is True
    ungated = lambda pre, post, w0, rewards: py_pair(pre, post, w0)
    assert rules.check_spike(ungated, like="reward-stdp", seed=1)["passes"] is False


def test_check_spike_of_the_rust_rule_equals_cli(cli):
    """The harness run on a Python function that calls the registered rule gives the CLI's
    `rules check pair-stdp` rows, number for number."""
    rep = rules.check_spike(lambda pre, post, w0: rules.spike_delta("pair-stdp", pre, post, w0),
                            like="pair-stdp", seed=3)
    want = cli("--seed", "3", "rules", "check", "pair-stdp")
    assert rep["rows"] == want["report"]["rows"]
    assert rep["theory"] == want["report"]["theory"] and want["passes"] is True


def test_check_spike_errors():
    with pytest.raises(errors.UnknownNameError, match="valid names"):
        rules.check_spike(py_pair, like="oja")
    def boom(pre, post, w0):
        raise ValueError("boom")

    with pytest.raises(errors.InvalidParameterError, match="ValueError: boom"):
        rules.check_spike(boom, like="pair-stdp")
    with pytest.raises(errors.NonFiniteError, match="python spike rule"):
        rules.check_spike(lambda *a: float("nan"), like="pair-stdp")
