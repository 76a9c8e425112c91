"""Wiring.get_graph and Wiring.draw_graph (attached in wirings.py). Drawing needs matplotlib only, imported when
called; networkx is needed for get_graph and for ncps's force-directed layouts (kamada, spring, spectral, spiral).
"""
import math

import numpy as np

_DEFAULT_NEURON_COLORS = {"sensory": "tab:olive", "inter": "tab:blue", "command": "tab:purple", "motor": "tab:orange"}
_DEFAULT_SYNAPSE_COLORS = {"excitatory": "tab:green", "inhibitory": "tab:red"}
# Column order of the layered layout; types a subclass invents go between command and motor.
_TYPE_ORDER = ("sensory", "inter", "command")
_NX_LAYOUTS = ("kamada", "spring", "spectral", "spiral")
LAYOUTS = ("layered", "shell", "circular", "random") + _NX_LAYOUTS


def _check_built(wiring):
    if not wiring.is_built():
        raise ValueError("Wiring is not built yet: call wiring.build(input_dim) (a cell does it with the size of its "
                         "inputs) before drawing it")


def _edges(wiring):
    """(source node, destination node, polarity) for every synapse; nodes are ("sensory", i) or ("neuron", i)."""
    edges = []
    for kind, matrix in (("sensory", wiring.sensory_adjacency_matrix), ("neuron", wiring.adjacency_matrix)):
        for src, dest in zip(*np.nonzero(matrix)):
            polarity = "excitatory" if matrix[src, dest] >= 0 else "inhibitory"
            edges.append(((kind, int(src)), ("neuron", int(dest)), polarity))
    return edges


def get_graph(self, include_sensory_neurons=True):
    """The wiring as a networkx DiGraph, as ncps's: nodes ``neuron_{i}`` (attribute ``neuron_type``) and
    ``sensory_{i}`` (``"sensory"``), edges with ``polarity`` "excitatory" or "inhibitory". Unlike ncps, the flag
    is honoured: sensory nodes and their synapses are left out when it is False."""
    _check_built(self)
    import networkx as nx

    graph = nx.DiGraph()
    for i in range(self.units):
        graph.add_node(f"neuron_{i}", neuron_type=self.get_type_of_neuron(i))
    if include_sensory_neurons:
        for i in range(self.input_dim):
            graph.add_node(f"sensory_{i}", neuron_type="sensory")
    for (src_kind, src), (_, dest), polarity in _edges(self):
        if src_kind == "sensory" and not include_sensory_neurons:
            continue
        graph.add_edge(f"{src_kind}_{src}", f"neuron_{dest}", polarity=polarity)
    return graph


def _type_order(nodes):
    """The neuron types present, in column order: sensory, inter, command, others (sorted), motor."""
    present = {t for _, t in nodes.values()}
    others = sorted(present - set(_TYPE_ORDER) - {"motor"})
    return [t for t in _TYPE_ORDER if t in present] + others + (["motor"] if "motor" in present else [])


def _layered_positions(nodes):
    """One column per neuron type, each centred vertically."""
    pos = {}
    for x, t in enumerate(_type_order(nodes)):
        members = [n for n, (_, nt) in nodes.items() if nt == t]
        for k, n in enumerate(members):
            pos[n] = (float(x), (len(members) - 1) / 2.0 - k)
    return pos


def _positions(wiring, nodes, layout):
    if layout == "layered":
        return _layered_positions(nodes)
    if layout in ("shell", "circular"):  # networkx's shell layout without shells is one circle
        names = list(nodes)
        return {n: (math.cos(2 * math.pi * k / len(names)), math.sin(2 * math.pi * k / len(names)))
                for k, n in enumerate(names)}
    if layout == "random":
        xy = np.random.default_rng(0).random((len(nodes), 2))
        return {n: (float(a), float(b)) for n, (a, b) in zip(nodes, xy)}
    import networkx as nx

    graph = get_graph(wiring)
    fn = {"kamada": nx.kamada_kawai_layout, "spring": nx.spring_layout, "spectral": nx.spectral_layout,
          "spiral": nx.spiral_layout}[layout]
    named = fn(graph)
    return {(kind, i): tuple(named[f"{kind}_{i}"]) for kind, i in nodes}


def _draw_edge(ax, patches, a, b, color, same_column):
    if a == b:  # a self-synapse: a small loop above the node
        ax.add_patch(patches.Circle((a[0], a[1] + 0.18), 0.15, fill=False, edgecolor=color, linewidth=1.0,
                                    alpha=0.8, zorder=1))
        return
    # Synapses within a column, or going backwards, bend so they do not run through the nodes in between.
    rad = 0.35 if same_column or b[0] < a[0] else 0.0
    ax.add_patch(patches.FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=9, color=color, linewidth=0.9,
                                         alpha=0.8, shrinkA=7, shrinkB=7, connectionstyle=f"arc3,rad={rad}",
                                         zorder=1))


def draw_graph(self, layout="layered", neuron_colors=None, synapse_colors=None, draw_labels=False, save=None,
               ax=None, figsize=None, dpi=100):
    """Draws the wiring with matplotlib: one node per sensory input and neuron, coloured by type, and one arrow per
    synapse, green if excitatory and red if inhibitory (``synapse_colors``: one colour or a dict with keys
    "excitatory"/"inhibitory"). ``layout="layered"`` puts sensory, inter, command and motor neurons in columns;
    ncps's names "shell", "circular", "random", "kamada", "spring", "spectral" and "spiral" are accepted too (the
    last four need networkx). ``neuron_colors`` overrides colours by type. The axes get a legend.

    Draws on ``ax``, else on a new figure saved to ``save`` (a path; the format comes from its suffix, e.g. .png or
    .svg, rendered with the Agg backend, no display needed), else on pyplot's current axes as ncps does.
    Returns the legend handles (matplotlib patches), as ncps's draw_graph returns its neuron patches.
    """
    _check_built(self)
    if layout not in LAYOUTS:
        raise ValueError(f"Unknown layout '{layout}', use one of {LAYOUTS}")
    from matplotlib import patches

    if isinstance(synapse_colors, str):
        synapse_colors = {"excitatory": synapse_colors, "inhibitory": synapse_colors}
    synapse_colors = {**_DEFAULT_SYNAPSE_COLORS, **(synapse_colors or {})}
    neuron_colors = {**_DEFAULT_NEURON_COLORS, **(neuron_colors or {})}

    nodes = {("sensory", i): (f"s{i}", "sensory") for i in range(self.input_dim)}
    nodes.update({("neuron", i): (str(i), self.get_type_of_neuron(i)) for i in range(self.units)})
    pos = _positions(self, nodes, layout)

    figure = None
    if ax is None and save is not None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        types = _type_order(nodes)
        tallest = max(sum(1 for _, t in nodes.values() if t == c) for c in types)
        figure = Figure(figsize=figsize or (max(6.0, 2.2 * len(types)), max(4.0, 0.45 * tallest + 1.5)), dpi=dpi)
        FigureCanvasAgg(figure)
        ax = figure.add_subplot()
    elif ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()

    for (src_kind, src), dest, polarity in _edges(self):
        a, b = pos[(src_kind, src)], pos[dest]
        _draw_edge(ax, patches, a, b, synapse_colors[polarity], same_column=a[0] == b[0] and layout == "layered")

    types_present = _type_order(nodes)
    for neuron_type in types_present:
        members = [n for n, (_, t) in nodes.items() if t == neuron_type]
        xy = np.array([pos[n] for n in members])
        ax.scatter(xy[:, 0], xy[:, 1], s=260, color=neuron_colors.get(neuron_type, "tab:blue"), edgecolors="black",
                   linewidths=0.6, zorder=2)
    if draw_labels:
        for node, (label, _) in nodes.items():
            ax.annotate(label, pos[node], ha="center", va="center", fontsize=7, zorder=3)

    handles = [patches.Patch(color=neuron_colors.get(t, "tab:blue"), label=f"{t[0].upper()}{t[1:]} neurons")
               for t in types_present]
    handles += [patches.Patch(color=synapse_colors[p], label=f"{p.capitalize()} synapses")
                for p in ("excitatory", "inhibitory")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_axis_off()
    ax.autoscale_view()
    ax.margins(0.08)
    if figure is not None:
        figure.tight_layout()
        figure.savefig(save)
    return handles
