"""Settings shared by every test process (the engine's and the web's)."""

from __future__ import annotations

from hypothesis import settings

# No per-example time limit: these machines are shared, and a property test's example taking
# 256 ms instead of 200 ms under load says nothing about the code (speed is measured in
# benchmarks/, never in tests).
settings.register_profile("dti", deadline=None)
settings.load_profile("dti")
