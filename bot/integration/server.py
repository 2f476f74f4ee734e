"""The Rasa server with the project's own routes on the same Sanic app.

Mirrors `rasa.core.run.serve_application`, adding the call-summary API and the
pages (/panel, /chat) at the root; the IVR and agent channels come from
credentials.yml. Rasa's own HTTP API stays off: it would expose every conversation.
"""

from __future__ import annotations

import logging
from functools import partial

from bot.integration.http import guard
from bot.integration.http.case_api import case_blueprint
from bot.integration.http.operator_api import operator_blueprint
from bot.integration.http.pages import pages_blueprint
from bot.integration.http.summary_api import summary_blueprint
from bot.settings import agent_tokens, api_token, load_settings, supervisor_tokens

logger = logging.getLogger(__name__)


def create_app(model_path: str, endpoints_file: str, credentials_file: str, port: int):
    """Rasa's app (channels, agent loading) plus the summary API, the team's case API and the pages."""
    from rasa.core import run as rasa_run
    from rasa.core.utils import AvailableEndpoints

    from bot.integration import fault_tolerance, tracker_store
    from bot.integration import speedups as rasa_speedups

    fault_tolerance.install()
    fast = rasa_speedups.install()  # False with BOT_RASA_SPEEDUPS=0 or another Rasa release (logged)
    settings = load_settings()
    token, _ = api_token(settings)
    endpoints = AvailableEndpoints.read_endpoints(endpoints_file)
    channels = rasa_run.create_http_input_channels(None, credentials_file)
    app = rasa_run.configure_app(channels, cors="*", enable_api=False, port=port, endpoints=endpoints)
    agents, _ = agent_tokens(settings)
    supervisors, generated = supervisor_tokens(settings)
    if generated:
        logger.warning(
            "未配置主管令牌，已生成开发用令牌（见 BOT_DATA_DIR/supervisor_tokens）。生产环境请设置 BOT_SUPERVISOR_TOKENS。"
        )
    app.blueprint(summary_blueprint(lambda: [token], lambda: list(supervisors)))
    app.blueprint(operator_blueprint(lambda: [token], lambda: list(agents), lambda: list(supervisors)))
    app.blueprint(case_blueprint(lambda: [token], lambda: supervisors, lambda: list(agents)))
    guard.install(app)
    app.blueprint(pages_blueprint())
    app.register_listener(partial(rasa_run.load_agent_on_start, model_path, endpoints, None), "before_server_start")
    app.register_listener(rasa_run.close_resources, "after_server_stop")
    if fast:
        app.register_listener(tracker_store.tune_rasa_store, "after_server_start")
        app.register_listener(rasa_speedups.close_sessions, "after_server_stop")
    return app


def serve(model_path: str, endpoints_file: str, credentials_file: str, port: int, host: str = "0.0.0.0") -> None:
    """Run the server in the foreground."""
    import rasa.utils.common

    from bot.ops import logs

    logs.configure()
    app = create_app(model_path, endpoints_file, credentials_file, port)
    rasa.utils.common.update_sanic_log_level()
    logs.install_masking()
    logger.info("Rasa server on http://%s:%s", host, port)
    app.run(host=host, port=port, workers=1, access_log=False)
