"""Issue 27: after a time series the Temporal Controller opened on one day in 1-hour steps instead of the
series' dates. set_temporal_controller sets its range (first to last date) and step (smallest gap)."""

from __future__ import annotations

from qgis.core import Qgis, QgsTemporalNavigationObject
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime

from digisat_plugin.gui.series_layers import set_temporal_controller


def utc(y, m, d):
    return QDateTime(QDate(y, m, d), QTime(0, 0), Qt.TimeSpec.UTC)


def test_controller_spans_the_series_in_steps_of_its_smallest_gap():
    navigation = QgsTemporalNavigationObject()
    assert set_temporal_controller(navigation, ["2024-07-08", "2024-06-25", "2024-06-28", "2024-07-05"])
    extent = navigation.temporalExtents()
    assert extent.begin() == utc(2024, 6, 25) and extent.end() == utc(2024, 7, 9)
    assert navigation.frameDuration().days() == 3  # 06-25 -> 06-28 and 07-05 -> 07-08
    assert int(navigation.navigationMode()) == int(getattr(Qgis, "TemporalNavigationMode",
                                                           QgsTemporalNavigationObject).Animated)
    # every date in a frame of its own: no frame holds two dates, none is skipped
    frames = []
    for i in range(navigation.totalFrameCount()):
        frame = navigation.dateTimeRangeForFrameNumber(i)
        frames.append([d for d in ("2024-06-25", "2024-06-28", "2024-07-05", "2024-07-08")
                       if frame.contains(QDateTime(QDate.fromString(d, "yyyy-MM-dd"), QTime(12, 0), Qt.TimeSpec.UTC))])
    assert sorted(d for f in frames for d in f) == ["2024-06-25", "2024-06-28", "2024-07-05", "2024-07-08"]
    assert all(len(f) <= 1 for f in frames)


def test_one_date_is_one_day_and_no_controller_is_no_error():
    navigation = QgsTemporalNavigationObject()
    assert set_temporal_controller(navigation, ["2017-08-02"])
    assert navigation.frameDuration().days() == 1
    assert navigation.temporalExtents().begin() == utc(2017, 8, 2)
    assert not set_temporal_controller(None, ["2017-08-02"])
    assert not set_temporal_controller(navigation, [])
