"""Fixtures of the Processing tests: the registered `digisat` provider, auth configurations, a recording feedback.

The small networks come from `tiny_sr_model` (tests/servers/fixtures.py).

Imported by the tests/qgis/test_processing_*.py modules (`from .processing_fixtures import ...`).
"""

from __future__ import annotations

import sys

import pytest
from qgis.core import QgsProcessingFeedback

PROCESSING_PLUGINS = "/usr/share/qgis/python/plugins"


@pytest.fixture(scope="session")
def digisat_provider(qgis_processing):
    """Processing initialised (pytest-qgis) with the digisat provider registered once per session."""
    from qgis.core import QgsApplication

    from digisat_plugin.processing.provider import DigisatProvider

    if PROCESSING_PLUGINS not in sys.path:
        sys.path.append(PROCESSING_PLUGINS)
    registry = QgsApplication.processingRegistry()
    provider = registry.providerById("digisat")
    added = provider is None
    if added:
        provider = DigisatProvider()
        assert registry.addProvider(provider)
    yield provider
    if added:
        registry.removeProvider(provider)


@pytest.fixture(scope="session")
def auth_config(qgis_app):
    """make(username, password) -> id of a Basic authentication configuration in the test profile's auth db."""
    from qgis.core import QgsApplication, QgsAuthMethodConfig

    manager = QgsApplication.authManager()
    if not manager.masterPasswordIsSet():
        assert manager.setMasterPassword("digisat-tests", True)

    def make(username: str, password: str) -> str:
        config = QgsAuthMethodConfig("Basic")
        config.setName(f"digisat test {username}")
        config.setConfig("username", username)
        config.setConfig("password", password)
        assert manager.storeAuthenticationConfig(config)
        return config.id()

    return make


class RecordingFeedback(QgsProcessingFeedback):
    """A feedback that keeps every text it is given (to check what reaches the log, secrets included)."""

    def __init__(self):
        super().__init__()
        self.texts = []

    def setProgressText(self, text):
        self.texts.append(text)
        super().setProgressText(text)

    def pushInfo(self, text):
        self.texts.append(text)
        super().pushInfo(text)

    def pushDebugInfo(self, text):
        self.texts.append(text)
        super().pushDebugInfo(text)

    def reportError(self, text, fatalError=False):
        self.texts.append(text)
        super().reportError(text, fatalError)
