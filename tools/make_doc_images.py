"""Regenerates the images of docs/ (run after changing the wirings or their drawing):

    .venv/bin/python tools/make_doc_images.py

docs/images/ncp_wirings.png: an AutoNCP(16, 2) and a hand-sized NCP, both built for 4 inputs and drawn with
Wiring.draw_graph (flashlight.ncps.wirings), side by side. Needs matplotlib.
"""
import pathlib

from matplotlib.figure import Figure

from flashlight.ncps.wirings import NCP, AutoNCP

OUT = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images"


def wiring_figure(path):
    auto = AutoNCP(16, 2)  # 16 neurons, 2 of them motor; the other sizes follow from sparsity_level=0.5
    ncp = NCP(inter_neurons=5, command_neurons=4, motor_neurons=2, sensory_fanout=2, inter_fanout=2,
              recurrent_command_synapses=3, motor_fanin=3)
    figure = Figure(figsize=(12, 4.6), dpi=80)
    for ax, wiring, title in zip(figure.subplots(1, 2), (auto, ncp),
                                 ("AutoNCP(16, 2)", "NCP(5 inter, 4 command, 2 motor)")):
        wiring.build(4)  # 4 sensory inputs
        wiring.draw_graph(ax=ax)
        ax.set_title(f"{title}, input_dim 4: {wiring.synapse_count} synapses, "
                     f"{wiring.sensory_synapse_count} sensory", fontsize=9)
    figure.tight_layout()
    figure.savefig(path)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    wiring_figure(OUT / "ncp_wirings.png")
    print(f"wrote {OUT / 'ncp_wirings.png'}")
