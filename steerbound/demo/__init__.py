"""``steerbound demo`` as a library: :func:`run_demo` with a :class:`DemoConfig`.

>>> from steerbound.demo import DemoConfig, run_demo
>>> result = run_demo(DemoConfig.preset(quick=True, out_dir="out"))  # doctest: +SKIP
>>> result.files["report"]  # doctest: +SKIP
"""

from steerbound.demo.config import SETTINGS, DemoConfig, SettingSpec
from steerbound.demo.pipeline import DemoResult, run_demo

__all__ = ["SETTINGS", "DemoConfig", "DemoResult", "SettingSpec", "run_demo"]
