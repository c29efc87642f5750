"""Pre-rendered animations for pages without a kernel: frames embedded in one self-contained HTML snippet."""

import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation

MAX_FRAMES = 40  # every frame is an embedded PNG: more frames make heavy pages

# matplotlib's player draws its buttons with Font Awesome loaded from a CDN; offline the buttons would be blank,
# so the stylesheet link is dropped and each icon becomes a plain Unicode symbol.
_ICONS = {"fa-minus": "−", "fa-fast-backward": "⇤", "fa-step-backward": "‹", "fa-play fa-flip-horizontal": "◀",
          "fa-pause": "❚❚", "fa-play": "▶", "fa-step-forward": "›", "fa-fast-forward": "⇥", "fa-plus": "+"}


class AnimationHTML(str):
    """The HTML of an animation; a notebook displays it as the player (``_repr_html_``), tests read it as a str."""

    def _repr_html_(self):
        return str(self)

    def __repr__(self):
        # the plain-text twin of the output; the full HTML would be stored in the notebook a second time
        return f"<animation: {len(self) // 1024} KiB of HTML>"


def animation_html(update, frames, fig, interval=200, dpi=72, max_frames=MAX_FRAMES):
    """Render ``update(frame)`` for each of ``frames`` into a self-contained HTML player (no external files).

    ``update`` changes the artists of ``fig`` for one frame (as for
    ``matplotlib.animation.FuncAnimation``); ``frames`` is a count or an iterable
    of frame values (at most ``max_frames``); ``interval`` is milliseconds per frame.
    The figure is rendered at ``dpi`` and then closed. In a notebook the result
    displays itself; ``IPython.display.HTML(result)`` works too.
    """
    frames = list(range(frames)) if isinstance(frames, int) else list(frames)
    if not 0 < len(frames) <= max_frames:
        raise ValueError(f"animation_html: frames must number 1 to {max_frames} (pages stay light), got {len(frames)}")
    fig.set_dpi(dpi)
    animation = FuncAnimation(fig, update, frames=frames, interval=interval, repeat=False)
    html = animation.to_jshtml(default_mode="once")
    plt.close(fig)
    return AnimationHTML(_without_cdn(html))


def _without_cdn(html):
    start = html.find("<link rel=\"stylesheet\"")
    if start >= 0 and "font-awesome" in html[start:html.find(">", start)]:
        html = html[:start] + html[html.find(">", start) + 1:]
    for icon, symbol in _ICONS.items():
        html = html.replace(f'<i class="fa {icon}"></i>', symbol)
    return html
