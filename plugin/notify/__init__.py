"""Reminders to people: the message, and the channels it goes out on (Teams feed, e-mail).

`message.compose` writes a reminder in the recipient's language; a `Channel` (see `port`)
delivers it: `SmtpChannel` (both modes), `ActivityFeedChannel` and `GraphMailChannel`
(Microsoft mode), and `FeedThenMail`, which falls back to e-mail where the feed refuses.
`channels.reminder_channel` picks them from the settings. When a reminder is due is not
decided here.
"""
