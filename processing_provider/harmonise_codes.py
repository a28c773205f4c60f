"""multiplan:harmonisecodes — placeholder replaced by the real algorithm in this issue."""
from __future__ import annotations

from .base import MultiplanAlgorithm


class HarmoniseCodesAlgorithm(MultiplanAlgorithm):
    NAME = "harmonisecodes"

    def displayName(self):  # noqa: N802
        return self.tr("Harmonise land-use codes")

    def initAlgorithm(self, config=None):  # noqa: N802
        pass

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        return {}
