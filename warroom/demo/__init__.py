"""The demo world behind `warroom demo`: a simulated production on an in-process moto server.

No Textual here: the console runs against this world through the same code as production.
"""

from warroom.demo import resources
from warroom.demo.config_file import new_workdir, write_config
from warroom.demo.health_service import HEALTH_PATH, HealthAnswer
from warroom.demo.moto_host import DemoNotInstalled, require_moto
from warroom.demo.scenarios import SCENARIOS, Injection, Scenario, Symptom, get_scenario
from warroom.demo.seed import Seeded
from warroom.demo.serve import (
    DEFAULT_FAIL_AFTER,
    DEFAULT_SCENARIO,
    list_scenarios,
    serve_only,
)
from warroom.demo.state import WorldState
from warroom.demo.world import DemoWorld

__all__ = [
    "DEFAULT_FAIL_AFTER",
    "DEFAULT_SCENARIO",
    "HEALTH_PATH",
    "SCENARIOS",
    "DemoNotInstalled",
    "DemoWorld",
    "HealthAnswer",
    "Injection",
    "Scenario",
    "Seeded",
    "Symptom",
    "WorldState",
    "get_scenario",
    "list_scenarios",
    "new_workdir",
    "require_moto",
    "resources",
    "serve_only",
    "write_config",
]
