"""`search`, `fetch` and `enhance`: find Sentinel-2 scenes over an area, fetch them, super-resolve.

Sources: `stac` (Earth Search COGs, no account; only the area's window is read), `cdse`
(Copernicus Data Space, free account) and `dhus` (a DHuS mirror hub through sentinelsat).
Passwords come from the environment only (DIGISAT_CDSE_PASSWORD, DIGISAT_DHUS_PASSWORD), never
from the command line, and are never printed.
"""

from __future__ import annotations

import os

from ..core.catalog import get_source
from ..core.catalog.pipeline import bands_to_fetch, find_scene
from ..core.catalog.scl import TILE_ONLY, cloud_text
from ..core.definitions import DEVICE_HELP, DEVICES, SOURCES
from ..core.errors import DigisatError, InputError
from .progressbar import TerminalProgress
from .superresolve import add_dn_scale_option, add_uncertainty_option, band_list

PASSWORD_ENV = {"cdse": "DIGISAT_CDSE_PASSWORD", "dhus": "DIGISAT_DHUS_PASSWORD"}
USER_ENV = {"cdse": "DIGISAT_CDSE_USER", "dhus": "DIGISAT_DHUS_USER"}


def _source_options(p) -> None:
    p.add_argument("--source", choices=SOURCES, default="stac",
                   help="where to search: stac (Earth Search COGs, no account), cdse (Copernicus Data Space), "
                   "dhus (a DHuS hub); default stac")
    p.add_argument("--stac-url", help="STAC API URL (default https://earth-search.aws.element84.com/v1)")
    p.add_argument("--collection", help="STAC collection (default sentinel-2-c1-l2a for L2A, sentinel-2-l1c for L1C; "
                   "the older sentinel-2-l2a works too)")
    p.add_argument("--cdse-url", help="Copernicus Data Space base URL, replacing its catalogue, download and "
                   "login hosts (default: the public service)")
    p.add_argument("--dhus-url", help="DHuS hub API URL, e.g. https://<mirror>/dhus/ (needed for --source dhus)")
    p.add_argument("--user", help="account user name for cdse/dhus (or DIGISAT_CDSE_USER / DIGISAT_DHUS_USER); "
                   "the password is read from DIGISAT_CDSE_PASSWORD / DIGISAT_DHUS_PASSWORD")
    p.add_argument("--level", choices=("L2A", "L1C"), default="L2A", type=str.upper, help="processing level (default L2A)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a server (default 30)")
    p.add_argument("--aoi", required=True, help="area: xmin,ymin,xmax,ymax[,EPSG:code] (default EPSG:4326) or a "
                   "GeoJSON file")
    p.add_argument("--aoi-crs", default="EPSG:4326", help="CRS of a --aoi box without one (default EPSG:4326)")


def _dates(p, required: bool = True) -> None:
    p.add_argument("--start", required=required, help="first day, YYYY-MM-DD")
    p.add_argument("--end", required=required, help="last day, YYYY-MM-DD (included)")
    p.add_argument("--max-cloud", type=float, default=30.0, help="highest cloud cover in percent (default 30)")


def register(sub) -> None:
    s = sub.add_parser("search", help="list Sentinel-2 scenes over an area",
                       description="List the Sentinel-2 scenes over an area between two dates, newest first.")
    _source_options(s)
    _dates(s)
    s.add_argument("--limit", type=int, default=50, help="at most this many scenes (default 50)")
    s.set_defaults(func=run_search)

    f = sub.add_parser("fetch", help="download a scene (only the area's window where the source allows)",
                       description="Fetch one scene: from STAC only the area's window of each band (a band "
                       "folder), from cdse the band files (a SAFE folder), from dhus the whole product (.zip).")
    f.add_argument("scene_id", metavar="SCENE_ID", help="a scene id as listed by `search`")
    _source_options(f)
    f.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    picked = f.add_mutually_exclusive_group()
    picked.add_argument("--bands", type=band_list, help="bands to fetch, e.g. 10m,20m or B02,B05 (default: all)")
    picked.add_argument("--for", dest="outputs", type=band_list, metavar="BANDS",
                        help="fetch what super-resolving these output bands needs, e.g. 60m (the 10 m and 20 m "
                        "bands too)")
    f.add_argument("--start", help="first day to search the scene in (default: the date in its id)")
    f.add_argument("--end", help="last day (default: the date in its id)")
    f.add_argument("--quiet", action="store_true", help="no progress bar")
    f.set_defaults(func=run_fetch)

    e = sub.add_parser("enhance", help="search, fetch the clearest recent scene and super-resolve it to 10 m",
                       description="The whole chain: search the area, pick the clearest recent scene (the clearest; "
                       "among those within 5 points of cloud cover of it, the newest), fetch it and write a 10 m "
                       "Cloud Optimized GeoTIFF of the area.")
    _source_options(e)
    _dates(e)
    e.add_argument("--max-area-cloud", type=float, metavar="PERCENT",
                   help="skip scenes with more cloud than this over the area itself (from the scene classification, "
                   "where the source has one); the scene is picked by the cloud over the area anyway")
    e.add_argument("--out", required=True, metavar="FILE", help="output GeoTIFF, e.g. enhanced.tif")
    e.add_argument("--bands", type=band_list, help="output bands (default: all but B10)")
    e.add_argument("--original", metavar="PATH", help="also write the bands as delivered on the same 10 m grid")
    add_uncertainty_option(e)
    e.add_argument("--workdir", metavar="DIR", help="keep the fetched data here (default: a temporary folder, "
                   "removed afterwards)")
    e.add_argument("--model", metavar="DIR", help="folder with net20/ and net60/ (default: model_weights/)")
    add_dn_scale_option(e)
    e.add_argument("--device", choices=DEVICES, default="auto", help=DEVICE_HELP)
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.set_defaults(func=run_enhance)


def make_source(args):
    kind = args.source
    if args.collection and kind != "stac":
        raise InputError(f"--collection: only for --source stac (not {kind})")
    url = {"stac": args.stac_url, "cdse": args.cdse_url, "dhus": args.dhus_url}[kind]
    user = password = None
    if kind in PASSWORD_ENV:
        user = args.user or os.environ.get(USER_ENV[kind])
        password = os.environ.get(PASSWORD_ENV[kind])
        if not user or not password:
            raise DigisatError(f"--source {kind} needs an account: give --user (or {USER_ENV[kind]}) and set "
                               f"{PASSWORD_ENV[kind]} in the environment")
    if kind == "dhus" and not url:
        raise InputError("--source dhus needs --dhus-url (the hub's API URL, e.g. https://<mirror>/dhus/)")
    options = {"collection": args.collection} if args.collection else {}
    return get_source(kind, url, user, password, timeout=args.timeout, **options)


def _aoi(args):
    from ..core.io.aoi import parse_aoi

    return parse_aoi(args.aoi, args.aoi_crs)


def format_table(scenes: list) -> str:
    """One row per scene; AREA CLOUD % is the SCL measure over the area ("-": tile cloud only)."""
    rows = [("DATE (UTC)", "CLOUD %", "AREA CLOUD %", "TILE", "LEVEL", "SIZE", "ID")]
    for s in scenes:
        size = f"{s.size / 1e6:.0f} MB" if s.size else "-"
        cloud = "-" if s.cloud_cover is None else f"{s.cloud_cover:.1f}"
        area = "-" if s.area_cloud is None else f"{s.area_cloud:.1f}"
        rows.append((s.datetime.replace("T", " ").rstrip("Z"), cloud, area, s.tile or "-", s.level or "-", size, s.id))
    n = len(rows[0]) - 1
    widths = [max(len(r[i]) for r in rows) for i in range(n)]
    right = (1, 2, 5)  # the numbers (cloud, area cloud, size) are right-aligned; the id, last, is not padded

    def line(row) -> str:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row[:n], widths, strict=True))]
        return "  ".join(cells + [row[n]])

    return "\n".join(line(r) for r in rows)


def run_search(args) -> int:
    source = make_source(args)
    scenes = source.search(_aoi(args), args.start, args.end, max_cloud=args.max_cloud, level=args.level,
                           limit=args.limit)
    if not scenes:
        print(f"no {args.level} scene with at most {args.max_cloud:g}% cloud cover between {args.start} and {args.end}")
        return 0
    print(format_table(scenes))  # the area cloud was measured by the search (STAC: SCL window)
    if all(s.area_cloud is None for s in scenes):
        print(f"({TILE_ONLY}: this source has no scene classification to measure the area's cloud)")
    return 0


def run_fetch(args) -> int:
    source = make_source(args)
    aoi = _aoi(args)
    scene = find_scene(source, aoi, args.scene_id, args.level, args.start, args.end)
    with TerminalProgress(args.quiet) as progress:
        bands = bands_to_fetch(args.outputs) if args.outputs else args.bands
        path = source.fetch(scene, aoi, bands, args.out, progress=progress)
    print(f"fetched {scene.id} ({scene.date}, {cloud_text(scene)}) to {path}")
    return 0


def run_enhance(args) -> int:
    from ..core.catalog.pipeline import enhance_area
    from ..core.io.cog import check_outputs

    check_outputs(args.out, args.original, args.uncertainty)  # before the search (enhance_area: the calibration)
    source = make_source(args)
    aoi = _aoi(args)
    with TerminalProgress(args.quiet) as progress:
        done = enhance_area(source, aoi, args.start, args.end, args.max_cloud, args.out, bands=args.bands,
                            original_path=args.original, workdir=args.workdir, progress=progress, level=args.level,
                            model_dir=args.model, device=args.device, harmonise=not args.keep_dn_scale,
                            max_area_cloud=args.max_area_cloud, uncertainty_path=args.uncertainty)
    s, r = done.scene, done.result
    for note in done.notes:
        print(note)
    print(f"scene {s.id} ({s.date}, {cloud_text(s)}, {s.source})")
    for notice in done.notices:
        print(f"note: {notice}")
    print(f"wrote {r.output} ({r.width} x {r.height} px, {len(r.bands)} bands: {' '.join(r.bands)}) in "
          f"{r.seconds:.1f} s")
    if r.original:
        print(f"wrote {r.original} (bands as delivered)")
    if r.uncertainty:
        print(f"wrote {r.uncertainty} (expected absolute error per pixel, DN)")
    return 0
