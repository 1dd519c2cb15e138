"""The one place that says which data trains and which is held out (never trained on).

Two uses:
1. Leave-scene-out validation (`FOLDS`, `fold_regions`): the shared data in four groups of whole
   scenes, by place and level: Virginia (L1C, USA), Malmö (L1C, Sweden), and the BigEarthNet L2A
   patches of 2017 and of 2018 (patches of one acquisition always in the same group). For each
   fold the networks are trained from scratch on the other three and scored on it
   (scripts/leave_scene_out.py); these are the quality figures the project quotes.
2. The shipped networks (`regions("train")`): trained on every usable scene except the split
   "test", which keeps the bundled sample's strip and six patches unseen for `make demo` and
   `make evaluate`:

- Virginia (L1C, 1926 x 1938 at 10 m): base-grid rows 0..641 (northern third) are TEST, rows
  642.. are TRAIN. The bundled sample resources/sample/virginia is cut from the TEST part.
- Malmö (L1C, 600 x 600): TRAIN.
- BigEarthNet (L2A, 120 x 120 patches): six usable patches are TEST, the other usable ones
  TRAIN; near-empty patches (B08 mean below 100: water or no-data) are skipped.
- Berlin (lossily re-encoded): never trained on, never used for metrics.
- Validation during training (a scene-level split of the training data, not the test set):
  three BigEarthNet patches, also trained on (the loss there only tracks training; the held-out
  figures come from the folds).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def data_root() -> str:
    """../shared/data/sentinel2 beside the checkout, or $DIGISAT_DATA."""
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(os.path.dirname(here)))
    default = os.path.join(os.path.dirname(repo), "shared", "data", "sentinel2")
    return os.environ.get("DIGISAT_DATA", default)


@dataclass(frozen=True)
class Region:
    """A base-grid row range of one scene folder (row1 None: to the end)."""

    folder: str  # relative to data_root()
    row0: int = 0
    row1: int | None = None

    @property
    def name(self) -> str:
        tail = os.path.basename(self.folder)
        if self.row0 or self.row1 is not None:
            return f"{tail}[rows {self.row0}:{'' if self.row1 is None else self.row1}]"
        return tail

    def path(self) -> str:
        return os.path.join(data_root(), self.folder)


VIRGINIA = "S2A_L1C_20160112_T18SVG_virginia"
MALMO = "S2A_L1C_20170527_T33UUB_malmo"
VIRGINIA_TEST_ROWS = 642  # rows 0..641

BEN_TEST = (
    "BEN_S2A_MSIL2A_20170617T113321_48_5",
    "BEN_S2A_MSIL2A_20170701T093031_63_35",
    "BEN_S2A_MSIL2A_20171002T112112_49_25",
    "BEN_S2B_MSIL2A_20170924T93020_69_24",
    "BEN_S2B_MSIL2A_20180204T94161_57_38",
    "BEN_S2B_MSIL2A_20180525T94030_55_30",
)
BEN_VAL = (
    "BEN_S2A_MSIL2A_20170617T113321_36_85",
    "BEN_S2A_MSIL2A_20170818T103021_43_48",
    "BEN_S2B_MSIL2A_20180515T094029_32_47",
)
# Near-empty patches (B08 mean below 100: open water or no-data), skipped everywhere.
BEN_EMPTY = (
    "BEN_S2A_MSIL2A_20180419T101031_63_45",
    "BEN_S2B_MSIL2A_20170906T101019_27_42",
    "BEN_S2B_MSIL2A_20170906T101019_76_61",
    "BEN_S2B_MSIL2A_20170906T101019_82_41",
    "BEN_S2B_MSIL2A_20170930T095019_0_12",
    "BEN_S2B_MSIL2A_20171016T101009_33_62",
    "BEN_S2B_MSIL2A_20180511T100029_18_52",
    "BEN_S2B_MSIL2A_20180511T100029_1_31",
)
NEVER = ("S2_L1C_20170216_T33UUU_berlin_LOSSY",)


def _ben_folders() -> list:
    folder = os.path.join(data_root(), "bigearthnet")
    if not os.path.isdir(folder):
        return []
    return sorted(n for n in os.listdir(folder) if n.startswith("BEN_") and n not in BEN_EMPTY)


def regions(split: str) -> list:
    """Regions of the split "train", "val" or "test", in a fixed order."""
    if split == "val":
        return [Region(f"bigearthnet/{n}") for n in BEN_VAL]
    if split == "test":
        return [Region(VIRGINIA, 0, VIRGINIA_TEST_ROWS)] + [Region(f"bigearthnet/{n}") for n in BEN_TEST]
    if split == "train":
        bens = [Region(f"bigearthnet/{n}") for n in _ben_folders() if n not in BEN_TEST]
        return [Region(VIRGINIA, VIRGINIA_TEST_ROWS), Region(MALMO)] + bens
    raise ValueError(f"unknown split {split!r} (expected 'train', 'val' or 'test')")


def _ben_year(name: str) -> str:
    return name.split("_")[3][:4]  # BEN_S2A_MSIL2A_<YYYYMMDD>T..._row_col


FOLDS = ("virginia", "malmo", "ben2017", "ben2018")


def fold_regions(fold: str) -> list:
    """The whole scenes of one leave-scene-out fold."""
    if fold == "virginia":
        return [Region(VIRGINIA)]
    if fold == "malmo":
        return [Region(MALMO)]
    if fold in ("ben2017", "ben2018"):
        return [Region(f"bigearthnet/{n}") for n in _ben_folders() if _ben_year(n) == fold[3:]]
    raise ValueError(f"unknown fold {fold!r} (expected one of {', '.join(FOLDS)})")


def without_fold(fold: str) -> list:
    """Every usable scene outside `fold`: what that fold's networks train on."""
    return [r for other in FOLDS if other != fold for r in fold_regions(other)]
