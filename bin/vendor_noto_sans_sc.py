"""Rebuild static/vendor/noto-sans-sc-<version>/ (the CJK font of every PDF).

    cd "$(mktemp -d)" && npm pack @expo-google-fonts/noto-sans-sc@0.4.3 && tar xzf *.tgz
    .venv/bin/python bin/vendor_noto_sans_sc.py <that folder>/package

Why this package and this format:

* The package ships Google Fonts' Noto Sans SC (v40, font version 2.004) as
  whole TrueType files, one per weight: 30,890 code points, 20,976 of them in
  the CJK Unified Ideographs block (Simplified and Traditional Chinese).
  `@fontsource/noto-sans-sc` slices the same font into ~100 unicode-range
  files per weight that cover half of that, and WeasyPrint keys the fonts of a
  PDF by family and weight, so two slices of one weight on a page share one
  embedded font and print each other's glyphs (含 came out as 册).
* The files are stored as WOFF2 with no glyf transform: brotli-compressed
  (4.9 MB a weight instead of 10.5 MB) yet decoded in a second. The transformed
  WOFF2 is 15% smaller, but fontTools rebuilds its glyf table in Python, which
  took over a minute per weight, paid by every process's first PDF.
* Weights 400 and 700 only: the print layouts use normal and bold, and
  WeasyPrint does not synthesise bold.
"""

import hashlib
import json
import shutil
import sys
from pathlib import Path

from fontTools.ttLib import TTFont, woff2

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = {400: "400Regular/NotoSansSC_400Regular.ttf", 700: "700Bold/NotoSansSC_700Bold.ttf"}

CSS_HEAD = """/*!
 * Noto Sans SC {font_version} (Google Fonts {gf_version}), from the npm package
 * {package} {package_version}. SIL Open Font License 1.1: see LICENSE.
 * Made by bin/vendor_noto_sans_sc.py: weights 400 and 700, WOFF2 without glyf transform.
 * Loaded by templates/pdf/_fonts.html into every PDF (see qms/pdf.py).
 */
"""
FACE = """@font-face {{
  font-family: "Noto Sans SC";
  font-style: normal;
  font-weight: {weight};
  src: url("{name}") format("woff2");
}}
"""


def main(package: Path) -> None:
    meta = json.loads((package / "package.json").read_text())
    gf_version = json.loads((package / "metadata.json").read_text())["version"]
    font_version = TTFont(package / WEIGHTS[400], lazy=True)["name"].getDebugName(5).split(";")[0]
    target = ROOT / "static" / "vendor" / f"noto-sans-sc-{font_version.removeprefix('Version ')}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy(package / "LICENSE_FONT", target / "LICENSE")
    css = [CSS_HEAD.format(font_version=font_version.removeprefix("Version "), gf_version=gf_version,
                           package=meta["name"], package_version=meta["version"])]
    sums = []
    for weight, source in WEIGHTS.items():
        name = f"NotoSansSC-{weight}.woff2"
        woff2.compress(str(package / source), str(target / name), transform_tables=set())
        css.append(FACE.format(weight=weight, name=name))
        sums.append(f"{hashlib.sha256((package / source).read_bytes()).hexdigest()}  {meta['name']}@{meta['version']}/{source}")
    (target / "noto-sans-sc.css").write_text("\n".join(css))
    (target / "SOURCES").write_text("SHA-256 of the TrueType files converted:\n" + "\n".join(sums) + "\n")
    print(f"Wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
