"""Regenerate the README screenshots from the real app on the seeded simulator.

Run from the repository root, with the project's virtual environment active::

    python screenshots/regenerate.py

Every scene of ``tests/snapshots/scenes.py`` (:data:`README_SCENES`) is written as
``screenshots/<name>.svg``, and as ``screenshots/<name>.png`` when ``rsvg-convert`` is installed
(Debian: ``librsvg2-bin``; the PNGs look right with the Fira Code font, ``fonts-firacode``).
The pictures are deterministic: running the script twice gives the same SVG files.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    # Run as a script, the repository root is not on the path: the scenes live in tests/.
    sys.path.insert(0, str(ROOT))

from tests.snapshots.scenes import README_SCENES, Scene, pin_environment, render  # noqa: E402

_SVG_OPEN = re.compile(r"<svg(?=[\s>])")


def svg_to_png(svg: str, png: Path, converter: str) -> None:
    """Convert with ``rsvg-convert``; ``xml:space="preserve"`` keeps the SVG's leading
    non-breaking spaces, which librsvg otherwise drops (right-aligned cells would shift)."""
    preserved = _SVG_OPEN.sub('<svg xml:space="preserve"', svg, count=1)
    subprocess.run(
        [converter, "--format=png", "--output", str(png)],
        input=preserved.encode("utf-8"),
        check=True,
    )


async def regenerate(scenes: tuple[Scene, ...], out_dir: Path, converter: str | None) -> None:
    """Render every scene to ``out_dir``; convert to PNG when ``converter`` is given."""
    for scene in scenes:
        svg = await render(scene)
        svg_path = out_dir / f"{scene.name}.svg"
        svg_path.write_text(svg, encoding="utf-8", newline="\n")
        written = [svg_path.name]
        if converter is not None:
            png_path = svg_path.with_suffix(".png")
            svg_to_png(svg, png_path, converter)
            written.append(png_path.name)
        size = "x".join(map(str, scene.size))
        print(f"{scene.name:<30} {size:>7}  {', '.join(written)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help="only these scenes (default: all)", metavar="SCENE"
    )
    parser.add_argument(
        "--out", type=Path, default=HERE, help="output folder (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    scenes = README_SCENES
    if args.names:
        known = {scene.name for scene in README_SCENES}
        unknown = sorted(set(args.names) - known)
        if unknown:
            parser.error(
                f"unknown scene(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        scenes = tuple(scene for scene in README_SCENES if scene.name in args.names)
    converter = shutil.which("rsvg-convert")
    if converter is None:
        print("rsvg-convert not found (Debian: apt install librsvg2-bin): writing SVG only")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home, pin_environment():
        # The user's own themes (in their config dir) must not restyle the bundled ones.
        saved = {name: os.environ.get(name) for name in ("HOME", "XDG_CONFIG_HOME")}
        os.environ["HOME"] = home
        os.environ["XDG_CONFIG_HOME"] = str(Path(home) / ".config")
        try:
            asyncio.run(regenerate(scenes, args.out, converter))
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
