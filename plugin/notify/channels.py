"""The channel reminders go out on, picked from the settings.

- SMTP when `ONTWIKKELGESPREK_SMTP_URL` is set (both modes);
- else, in Microsoft mode, Graph mail (a draft, then sent: at most once) when
  `ONTWIKKELGESPREK_MAIL_MAILBOX` is set;
- in Microsoft mode (given the Graph client and the Teams app id), the activity feed first,
  with that e-mail as the fallback.

None when nothing is configured: reminders then show only as the overview's to-dos.
"""

from __future__ import annotations

from plugin.calendar.graph_client import GraphClient
from plugin.domain.clock import Clock
from plugin.notify.fallback import FeedThenMail
from plugin.notify.graph_mail import GraphMailChannel
from plugin.notify.port import Channel
from plugin.notify.smtp import SmtpChannel
from plugin.notify.teams_feed import ActivityFeedChannel
from plugin.settings import Settings


def mail_channel(
    settings: Settings, *, graph: GraphClient | None = None, clock: Clock | None = None
) -> Channel | None:
    """E-mail: SMTP when configured, else Graph mail from the configured mailbox."""
    target = settings.smtp_target()
    if target is not None and settings.mail_from:
        return SmtpChannel(
            target,
            sender=settings.mail_from,
            starttls=settings.smtp_starttls,
            ca_bundle=settings.ca_bundle,
            clock=clock,
        )
    if graph is not None and settings.mail_mailbox:
        return GraphMailChannel(graph, mailbox=settings.mail_mailbox)
    return None


def reminder_channel(
    settings: Settings,
    *,
    graph: GraphClient | None = None,
    teams_app_id: str | None = None,
    clock: Clock | None = None,
) -> Channel | None:
    """The channel for reminders (see module docstring); None when there is none."""
    mail = mail_channel(settings, graph=graph, clock=clock)
    if graph is None or not teams_app_id:
        return mail
    feed = ActivityFeedChannel(graph, teams_app_id=teams_app_id)
    return FeedThenMail(feed, mail) if mail is not None else feed
