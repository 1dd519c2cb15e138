#!/usr/bin/env python3
"""Write the offline help, digisat_plugin/help/index.html, from docs/user-guide.md.

    python scripts/help_page.py [--out digisat_plugin/help/index.html]

The page ships in the plugin zip (scripts/package.py takes everything under digisat_plugin/), so the
dock's ? > Help and Help > Plugins > digisat help work without a network; it links the online README
as well. Markdown comes with the development environment (TensorBoard's dependency); the generated page
is committed, so neither QGIS nor the zip needs it. Rerun after editing the user guide
(tests/qgis/test_help.py checks that every section of the guide is in the page).
"""

from __future__ import annotations

import argparse
import configparser
import html
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUIDE = os.path.join(REPO, "docs", "user-guide.md")
OUT = os.path.join(REPO, "digisat_plugin", "help", "index.html")
STYLE = """body{font-family:sans-serif;max-width:52em;margin:1.5em auto;padding:0 1em;line-height:1.45;color:#222}
code,pre{background:#f3f3f3;border-radius:3px}pre{padding:.6em;overflow-x:auto}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}
.online{background:#eef5ff;padding:.5em .8em;border-left:4px solid #3a7bd5}"""


def page(markdown_text: str, homepage: str) -> str:
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables", "fenced_code", "toc"])
    online = html.escape(homepage.rstrip("/") + "#the-qgis-plugin")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>digisat in QGIS: user guide</title>\n"
            f"<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
            f"<p class=\"online\">Offline copy of the user guide, shipped with the plugin. "
            f"The latest documentation: <a href=\"{online}\">the digisat README online</a>.</p>\n"
            f"{body}\n</body>\n</html>\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args(argv)
    meta = configparser.ConfigParser(interpolation=None)
    meta.read(os.path.join(REPO, "metadata.txt"), encoding="utf-8")
    with open(GUIDE, encoding="utf-8") as fh:
        text = page(fh.read(), meta["general"]["homepage"])
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"{args.out}: {len(text) / 1000:.1f} kB from {os.path.relpath(GUIDE, REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
