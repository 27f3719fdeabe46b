"""A sandbox Slack: the Web API methods costbridge calls, a signed-request driver, a web page.

``create_app(state)`` serves the Web API under ``/api/`` (point ``COSTBRIDGE_SLACK_API_BASE_URL``
there), ``response_url`` endpoints, and a page at ``/`` that shows the channel and lets a person
click the bot's buttons; clicks are sent to costbridge's ``/slack/events`` by ``SlackDriver``,
signed like Slack signs them.
"""

from sandbox.slack.app import create_app
from sandbox.slack.driver import SlackDriver
from sandbox.slack.state import SlackState

__all__ = ["SlackDriver", "SlackState", "create_app"]
