"""A protocol-faithful fake of the Microsoft Graph v1.0 calendar and chat endpoints, for tests.

It runs over HTTPS on 127.0.0.1 (a werkzeug threaded server, TLS from the Entra fake's trustme
CA by default, so ``entra.ca_path`` trusts both fakes) and serves, under ``/v1.0``:

- ``POST /users/{u}/events``; ``GET``/``PATCH``/``DELETE /users/{u}/events/{id}``;
  ``POST /users/{u}/events/{id}/cancel``; ``{id}`` may be an occurrence of a series;
- ``GET /users/{u}/calendarView`` (``$select``, ``$top``, ``$skip``, ``@odata.nextLink``) and
  ``GET /users/{u}/events/{id}/instances`` (the same options; see "Recurring series");
- ``POST /users/{u}/findMeetingTimes`` and ``POST /users/{u}/calendar/getSchedule``;
- ``POST /users/{u}/translateExchangeIds`` (see "Ids");
- ``POST``/``GET /chats/{chat-id}/messages`` for chats made with ``add_chat`` or by online
  meetings (see "Chats");
- ``GET /appCatalogs/teamsApps``, ``POST``/``GET /chats/{chat-id}/installedApps`` and
  ``POST``/``GET /chats/{chat-id}/tabs`` (see "Apps and tabs in chats");
- ``POST``/``GET /subscriptions``, ``GET``/``PATCH``/``DELETE /subscriptions/{id}`` and
  ``POST /subscriptions/{id}/reauthorize`` on events, with the notifications they bring (see
  "Change notifications").
- ``POST /users/{u}/teamwork/sendActivityNotification`` and ``POST /users/{u}/sendMail``
  (``graph.notify``; see tests/microsoft/graph_fake_notify.py).
- ``GET /users/{u}/manager`` (``$select``): the manager set with ``set_manager``, as
  ``#microsoft.graph.user``; none is 404 ``Request_ResourceNotFound``, as Graph answers. It
  needs ``User.Read.All`` (or a broader directory permission): else 403
  ``Authorization_RequestDenied``, the directory's answer.

``{u}`` is a mailbox id, the user's object id (``oid``) or address (case-insensitive); ``/me``
works with delegated tokens (the mailbox whose ``oid`` is the token's).

What it checks, like Graph:

- **Tokens.** RS256 signed by the Entra fake, ``aud`` Graph, ``tid`` the Entra fake's tenant.
  Failures are 401 ``InvalidAuthenticationToken`` (with ``WWW-Authenticate``); a token without
  any permission is 401 ``NoPermissionsInAccessToken``. App-only tokens (no ``scp``) need
  ``Calendars.Read``/``Calendars.ReadWrite`` roles; delegated tokens need the matching scopes,
  and ``.Shared`` scopes for another user's mailbox. Missing → 403 ``ErrorAccessDenied``.
  ``restrict_app_access`` models an Exchange application access policy (the "[RAOP]" 403).
- **findMeetingTimes permissions.** Graph documents this action as delegated-only
  ("Application: Not supported"), so an app-only token gets 403 ``ErrorAccessDenied`` unless
  ``allow_app_find_meeting_times`` is set to True.
- **Bodies.** Read strictly like Graph's OData reader: event property names are case-sensitive,
  unknown ones are 400 ``RequestBodyRead``, JSON values of the wrong kind are 400
  ``RequestBodyRead`` "Cannot convert the literal '…' to the expected type 'Edm.…'" while JSON
  strings are converted as OData does (``"true"`` is a valid ``Edm.Boolean``, ``"0:30:00"`` is
  not a valid ``Edm.Duration``). ``@odata.type`` is accepted where it names the declared type
  (or a derived one): the SDK sends ``#microsoft.graph.event`` and ``#microsoft.graph.attendee``
  (``#microsoft.graph.attendeeBase`` in findMeetingTimes). Action parameters (cancel,
  getSchedule, findMeetingTimes) are matched case-insensitively, since the SDK sends
  ``Schedules``/``StartTime``/``Comment``. Real event properties that this fake does not model
  (``organizer``, ``id``, ``originalStart``, …) are answered 501 ``NotImplemented``: a test
  limit, not a Graph answer. ``recurrence`` is read as a ``patternedRecurrence`` (see
  "Recurring series"); ``Edm.Date`` values must be ``YYYY-MM-DD``.
- **Errors** have Graph's shape, with ``innerError`` date/request-id/client-request-id; every
  answer carries ``request-id`` and ``client-request-id`` (echoed when the client sent one).

Choices where Graph's behaviour is not documented (keep them in mind when reading tests):

- ``transactionId``: a second POST with a transactionId already used in that mailbox (and whose
  event still exists) creates nothing and answers 201 with the existing event.
- Attendees that are mailboxes of the fake get a copy (same iCalUId, own id, ``isOrganizer``
  false, ``showAs`` "tentative" as Exchange places unanswered invitations). PATCH updates the
  copies; cancel, DELETE by the organiser, or removing an attendee marks the copies
  ``isCancelled`` with a "Canceled: " subject; cancel and DELETE remove the organiser's event.
- A missing start/end is 400 ``ErrorInvalidRequest``; an end before the start is 400
  ``ErrorInvalidRequest`` "The end time must be after the start time."; a ``dateTime`` that is not
  ``YYYY-MM-DDTHH:MM:SS[.fffffff]`` is 400 ``UnableToDeserializePostBody``.
- findMeetingTimes: candidates on 30-minute boundaries inside the time slots (default: the next
  7 days), inside the working hours of the organiser and every *required* attendee that is a
  mailbox (``activityDomain`` work/unknown: their days; personal: all days; unrestricted: all
  hours). The organiser must be free (unless ``isOrganizerOptional``). The confidence is the
  documented average chance of attendance (free 100, unknown 49, otherwise 0) and must reach
  ``minimumAttendeePercentage`` (default 50, as documented). Ordered by confidence, then time;
  ``maxCandidates`` defaults to 5 (Graph documents no default). Busy means ``showAs`` other than
  free/unknown and not cancelled. ``emptySuggestionsReason`` is "organizerUnavailable" when the
  organiser was never free in working hours, else "attendeesUnavailable".
- getSchedule: ``availabilityView`` takes the strongest status per interval
  (oof > busy > tentative > workingElsewhere > free); cancelled events are left out.
- An unknown ``Prefer: outlook.timezone`` is ignored (UTC, no ``Preference-Applied``).

Ids (``ews_id(address, event_id)`` and ``immutable_id(address, event_id)`` give the other forms
of a stored event; ``event_id`` may be its REST or its immutable id):

- Each item has its REST id (``id``) and an immutable id (random, stable, its own prefix). Its
  EWS id (what Office.js gives) is the REST id with ``-`` -> ``/`` and ``_`` -> ``+``: the
  documented relation behind Office.js ``convertToRestId``. Event URLs take the REST or the
  immutable id of an item *of that mailbox*.
- ``Prefer: IdType="ImmutableId"`` (alone, comma-separated with other preferences, or as one of
  several ``Prefer`` headers) makes every event in an events/event/calendarView answer show its
  immutable id as ``id``, with ``Preference-Applied: IdType="ImmutableId"``. When the time zone
  is applied too, the fake answers both in one header: ``outlook.timezone="…", IdType="…"``.
- ``translateExchangeIds``: delegated only, as documented ("Application: Not supported"):
  ``User.ReadBasic.All``, ``User.Read``, ``User.Read.All``, ``User.ReadWrite``,
  ``User.ReadWrite.All`` (or the AgentIdUser ones); otherwise, and for app-only tokens, 403
  ``ErrorAccessDenied``. Another user's mailbox (``/users/{u}``) also needs a
  ``Calendars.*.Shared`` scope (a fake choice: Graph does not document it). Formats ``ewsId``,
  ``restId`` and ``restImmutableEntryId`` are modelled; ``entryId``/``immutableEntryId`` are
  501. Fake choices where Graph documents no answer: 1..1000 ``inputIds`` else 400
  ``ErrorInvalidParameter``; an id not in the alphabet of its source format gets
  ``errorDetails`` ``ErrorInvalidIdMalformed`` "Id is malformed." (Exchange's text for bad ids);
  a well-formed id that is no item of that mailbox (e.g. another mailbox's) gets
  ``ErrorItemNotFound`` "The specified object was not found in the store." (a user reported
  "NotFound", microsoft-graph-docs-contrib#4823). Such entries have no ``targetId``.

Single-value extended properties on events (``extended_properties(address, event_id)``):

- ``singleValueExtendedProperties: [{"id", "value"}]`` is accepted in POST and PATCH and stored on
  that mailbox item only (not on attendees' copies; a PATCH that only writes properties sends no
  update to the copies). A PATCH with the same id replaces the value. Writing one changes the
  changeKey, never the body.
- Ids: ``{Type} {guid} Name {name}``, ``{Type} {guid} Id 0x{hex}`` or ``{Type} 0x{tag}`` with a
  single-value MAPI type (String, Integer, Long, Short, Boolean, Double, Float, Currency,
  SystemTime, CLSID, Binary; ApplicationTime/Error/Null/Object are 501). Type, keywords, GUID
  and hex are case-insensitive; the *name* is case-sensitive (documented for filters on
  extended properties). A malformed id, or a known property named with another type, is 400
  ``ErrorInvalidExtendedProperty`` "The extended property attribute combination is invalid."
  (the answer reported for a wrong type, microsoft-graph-docs#2251); a value that does not fit
  its type is 400 ``ErrorInvalidExtendedPropertyValue`` (fake text). Answers show ids
  normalised: canonical type name, lower-case GUID and hex (fake choice; #2251 reports that the
  answered id differs from the asked one).
- They are never in normal answers. ``GET …/events/{id}?$expand=singleValueExtendedProperties(
  $filter=id eq '…' [or id eq '…'])`` adds the matching ones (with
  ``singleValueExtendedProperties@odata.context``), also with ``$select``. Other ``$expand``
  forms are 501 (not modelled).

Online meetings:

- The body trap (a model of microsoft-graph-docs#16336 / msgraph-sdk-dotnet#1402): a PATCH whose
  payload has ``body`` on an event with ``isOnlineMeeting`` true drops the Teams join
  information: ``onlineMeeting`` (and ``onlineMeetingUrl``) become null, ``isOnlineMeeting``
  stays true, the attendees' copies follow. It does not come back by itself (a new join URL is
  made only when ``isOnlineMeeting`` goes from false to true). A PATCH without ``body`` keeps it.
- ``add_event(..., attendees=[addresses], online_meeting=True, body="<p>…</p>")`` makes an
  Outlook-made meeting: attendee mailboxes get their copy as for a POST, a Teams join URL as a
  POST makes, an html body.
- Creating an online meeting (POST or ``add_event``) also creates its chat,
  ``19:meeting_<thread>@thread.v2`` as read from the join URL, with the organiser's and attendee
  mailboxes' ``oid`` as members, unless a chat of that id exists. Mailboxes added as attendees
  by a later PATCH join a chat the fake made (fake choice). ``chat_members(chat_id)``.

Chats (``add_chat(chat_id, member_oids)``; ``chat_messages(chat_id)`` gives what was posted):

- **Sending** (``POST /chats/{id}/messages``) needs a *delegated* token with ``ChatMessage.Send``
  or ``Chat.ReadWrite`` (else 403 ``Forbidden`` "Missing scope permissions on the request…").
  Graph lets applications post only when importing messages into a chat in migration mode, so
  an app-only token gets 403 ``Forbidden`` with the text reported for that case
  (MicrosoftDocs/msteams-docs#12992, microsoftgraph/microsoft-graph-docs-contrib#1914); those
  reports do not show the status and code, so the fake uses 403 ``Forbidden``, as for the other
  permission failures. Then: an unknown chat is 404 ``NotFound``; a user who is not a member of
  the chat gets 403 ``Forbidden`` "Forbidden" (the answer reported for lost access to a chat,
  microsoft-graph-docs#14677 and #15787).
- **Bodies** are read strictly like events (``body``, ``attachments``, ``subject``,
  ``importance``). Each ``<attachment id="X"></attachment>`` in an html body must name an
  attachment, and each attachment must be named once in the body; adaptive-card attachments
  (``application/vnd.microsoft.card.adaptive``) must carry a JSON *string* of an object with
  ``"type": "AdaptiveCard"`` and a string ``version``. Failures are 400 ``BadRequest`` (a fake
  choice for texts Graph does not document); other attachment types are 501 (not modelled).
- **Answers**: 201 with the chatMessage (an id of epoch milliseconds, ``createdDateTime``,
  ``from.user`` with the token's ``oid`` and ``tid``, body, attachments). ``GET`` lists the
  chat's messages newest first (``$top``, at most 50; no paging) for members with ``Chat.Read``,
  ``Chat.ReadWrite`` or ``ChatMessage.Read``, or for an app with ``Chat.Read.All``/
  ``Chat.ReadWrite.All``.

Apps and tabs in chats (``add_catalog_app(external_id, *, client_id=None, display_name=…)``
gives the catalog id; ``chat_apps(chat_id)`` the installed catalog ids; ``chat_tabs(chat_id)``
the tabs with ``teamsApp`` expanded):

- **Catalog.** ``GET /appCatalogs/teamsApps`` with ``$filter`` of ``eq`` clauses (joined by
  ``and``) on id/externalId/displayName/distributionMethod and ``$select``; each app is
  ``{id, externalId, displayName, distributionMethod: "organization"}``. Application
  ``AppCatalog.Read.All``/``AppCatalog.ReadWrite.All`` (or ``Directory.Read(Write).All``), or
  delegated ``AppCatalog.Submit``/``AppCatalog.Read(Write).All``/``Directory.*``; otherwise 403
  ``Forbidden`` "Missing role permissions…" (or "Missing scope permissions…").
- **Permissions** as Graph's reference lists them. "Self" permissions reach only the calling
  app: the catalog app whose ``client_id`` is the token's ``azp``/``appid``; using one on another
  app is 403 ``Forbidden`` naming the non-Self permissions (fake text). Resource-specific
  permissions (``Chat.Manage.Chat``, ``TeamsTab.Create.Chat``, …) are read from the token's
  roles (resource-specific consent is not modelled). Delegated callers must be chat members
  (else 403 ``Forbidden`` "Forbidden", as for messages). An unknown chat is 404 ``NotFound``.
- **Install** (``POST …/installedApps``): body ``{"teamsApp@odata.bind": "<base>/appCatalogs/
  teamsApps/<catalog id>"}`` (this fake's base or ``https://graph.microsoft.com/v1.0``) and an
  optional ``consentedPermissionSet``, read strictly and otherwise ignored (apps declare no
  resource-specific permissions here). Another bind name is 400 ``BadRequest`` "Invalid bind
  property name X in request." (the text reported in microsoft-graph-docs#8345); a missing or
  foreign bind is 400 ``BadRequest`` (fake text); an unknown catalog id is 404 ``NotFound``.
  Answer: 201 without a body (as documented). An app already installed is 409 ``Conflict`` (the
  status reported for teams, microsoft-graph-docs#12199; the text is the fake's).
  ``GET …/installedApps`` (``$expand=teamsApp``, ``$filter=teamsApp/id eq '…'``) lists
  ``{id}`` items (id: base64 of ``<chat>##<catalog id>``, a fake choice).
- **Tabs** (``POST …/tabs``): ``{displayName, "teamsApp@odata.bind", configuration: {entityId,
  contentUrl, websiteUrl, removeUrl}}`` read strictly. Fake choices: ``displayName`` and an
  https ``contentUrl`` are required, ``websiteUrl``/``removeUrl`` must be https when given (400
  ``BadRequest``). The app must be installed in the chat, else 400 ``BadRequest`` "App id … needs
  to be installed to the chat … and be in an unblocked state to install/update a tab" (adapted
  from the channel answer in MicrosoftDocs/msteams-docs#2565). Answer: 201 with the tab (id,
  displayName, webUrl, configuration; ``teamsApp`` only when expanded). Identical POSTs make
  separate tabs. ``GET …/tabs`` supports ``$expand=teamsApp``, ``$filter=teamsApp/id eq '…'``
  and ``$select``. Other query options on these collections are 501.

Change notifications (subscriptions on events; the fake POSTs to the subscriber's endpoints over
HTTPS, trusting ``ca``, the Entra fake's CA by default, so services served by ``LoopbackHttps``
receive what Graph would send):

- **Clock.** ``now`` (default: the real UTC time) decides expiry; set it to the test's clock
  (an aware datetime). ``createdDateTime``/``lastModifiedDateTime`` of events follow it too.
- **Create** (``POST /subscriptions``), read strictly like events. Modelled resources:
  ``/users/{id or address}/events`` or ``users/{id}/events``, and ``/me/events`` (delegated;
  app tokens get 400 "/me request is only valid with delegated authentication flow."). Other
  resources are 501 (not modelled). ``includeResourceData`` true, ``encryptionCertificate``,
  ``notificationQueryOptions`` and the other properties the fake does not model are 501;
  read-only ones (``id``, ``applicationId``, ``creatorId``) are 501 too.
- **Required**: ``changeType``, ``notificationUrl``, ``resource``, ``expirationDateTime``; a missing
  one is 400 ``InvalidRequest`` "X is a required property for subscription creation." (the text
  reported for expirationDateTime, microsoft-graph-docs-contrib#7399; the code is a fake
  choice). ``clientState`` is optional (the subscription reference says so; the webhooks
  article calls it required) and at most 128 characters (longer: 400 ``InvalidRequest``, fake
  text). ``changeType`` is a comma list of ``created``/``updated``/``deleted`` (spaces around
  items ignored, case-sensitive; otherwise 400 ``InvalidRequest``, fake text).
  ``latestSupportedTlsVersion`` ``v1_2`` (default) or ``v1_3`` caps the TLS version the fake
  uses towards the endpoints; ``v1_0``/``v1_1`` (deprecated by Graph) and others are 400
  ``InvalidRequest`` (fake text).
- **URLs**: ``notificationUrl`` and ``lifecycleNotificationUrl`` must be https, else 400
  ``InvalidRequest`` "NotificationUrl scheme='http' is not supported." (the answer reported in
  microsoft-graph-docs#2751; "LifecycleNotificationUrl …" for the other, adapted). Query strings
  in them are kept.
- **Expiry**: ``expirationDateTime`` beyond ``now() + max_subscription_minutes`` is 400
  ``ExtensionError`` "Subscription expiration can only be 4230 minutes in the future." (the
  answer reported in microsoft-graph-docs#2988, with the attribute's number; the status is the
  fake's). Sources disagree on the maximum for Outlook events: the v1.0 subscription reference
  stored here says 4230 minutes (under 3 days), newer tables quote 10080 minutes (under 7 days)
  for events without resource data and 1440 with; the default is 4230, set the attribute to
  try another. One not after ``now()`` is 400 ``ExtensionError`` "Subscription expiration can
  only be in the future." (fake text). Graph's raising of short lifetimes is not modelled.
- **Permissions** (the create-subscription table for event: ``Calendars.Read`` delegated and
  application): app tokens need ``Calendars.Read`` or ``Calendars.ReadWrite`` roles (the fake
  accepts the write permission as "higher"; an older sentence of that page warns that write
  permissions may not be supported where read ones are needed), delegated tokens the same
  scopes, and only for the signed-in user's own mailbox; ``.Shared`` scopes do not count (as
  documented). ``restrict_app_access`` applies. Refusals are 403 ``ExtensionError`` "Operation:
  Create; Exception: [Status Code: Forbidden; Reason: Forbidden]" (the answer reported in
  msgraph-sdk-dotnet#365 and microsoft-graph-docs-contrib#7625; the policy's refusal carries
  the "[RAOP]" text as Reason, fake choice); a token without any permission is 401
  ``NoPermissionsInAccessToken``; an unknown user is 404 ``ExtensionError`` "Operation: Create;
  Exception: [Status Code: NotFound; Reason: The requested user 'x' is invalid.]" (fake text in
  the reported wrapping). Get/renew/delete/reauthorize check the same (with their operation
  name) on the subscription's mailbox.
- **Validation handshake**, after the checks above and before answering: the fake POSTs to
  ``notificationUrl`` with ``validationToken=<url-encoded token>`` added to its query, an empty
  body and ``Content-Type: text/plain; charset=utf-8`` (then the same to
  ``lifecycleNotificationUrl`` when given). Tokens are "Validation: Testing client application
  reachability for subscription Request-Id: <uuid>" (the form seen from Graph; treat as opaque).
  It expects within ``validation_timeout`` seconds (default 10, as documented) a 200 with a
  ``text/plain`` content type and exactly the decoded token as body. Otherwise: a timeout is
  400 ``InvalidRequest`` "Subscription validation request timed out." (microsoftgraph/
  nodejs-webhooks-sample#350); another status or a failed connection (TLS included) is 400
  ``ValidationError`` "Subscription validation request failed. Notification endpoint must
  respond with 200 OK to validation request." (reported in splunk/azure-functions-splunk#26);
  another body is 400 ``ValidationError`` "Subscription validation request failed. Response must
  exactly match validationToken query parameter." (java-spring-webhooks-sample#82 reports the
  text; the code is the fake's); another content type is 400 ``ValidationError`` "Subscription
  validation request failed. Response must be of content type text/plain." (fake text).
  Nothing is stored then. The endpoints are not validated again on renewal, only a new
  ``notificationUrl`` in a PATCH is.
- **Answers**: 201 with ``@odata.context``, ``id`` (a GUID), ``resource`` and ``changeType`` as
  given, ``applicationId`` (the token's ``appid``/``azp``), ``creatorId`` (the token's ``oid``: the
  user, or the app's service principal), ``clientState``, ``notificationUrl``,
  ``lifecycleNotificationUrl``, ``expirationDateTime`` (``…0000000Z``), ``includeResourceData``
  false, ``latestSupportedTlsVersion`` and the unmodelled ones as null. ``GET /subscriptions``
  lists the calling app's live subscriptions (app tokens: all of that app's; delegated: those
  the app made for that user); ``GET``/``PATCH``/``DELETE`` of one that is unknown, expired,
  deleted or another app's (or, delegated, another user's) is 404 ``ResourceNotFound`` "The
  object was not found." (fake text). ``PATCH`` takes ``expirationDateTime`` and/or
  ``notificationUrl`` (same limits; neither: 400 ``InvalidRequest`` "Subscription must contain
  either the 'expirationDateTime' or 'notificationUrl' property and its value.", the text in
  msgraph-sdk-java#2323; any other property: 400 ``InvalidRequest``, fake text) and answers 200
  with the subscription. ``DELETE`` is 204, ``POST …/reauthorize`` 204. No query options are
  modelled (501). The 1,000-subscriptions-per-mailbox limit is not modelled.
- **Ids**: ``Prefer: IdType="ImmutableId"`` on the create request makes that subscription's
  notifications carry immutable ids (documented in "Obtain immutable identifiers"); otherwise
  they carry REST ids.
- **Notifications** are queued, one per matching live subscription (its mailbox, its
  changeType), whenever an event of a subscribed mailbox is created, updated (any write that
  changes its changeKey: PATCH, extended property writes, the organiser's changes reaching an
  attendee's copy, cancellations of copies, attendee responses), cancelled or deleted, by the
  API, by ``add_event`` or by the test controls below. Exchange often sends more than one
  notification for a change; the fake sends exactly one (use ``duplicate_next_notifications``).
  The organiser's mailbox is queued before the attendees' copies. A series is notified with
  its master's id (see "Recurring series" for changes to one occurrence). Shape
  (``changeNotification``)::

      {"subscriptionId", "subscriptionExpirationDateTime": "…0000000+00:00",
       "changeType", "resource": "Users/{user oid}/Events/{id}",
       "resourceData": {"@odata.type": "#Microsoft.Graph.Event",
                        "@odata.id": "Users/{user oid}/Events/{id}",
                        "@odata.etag": "W/\"{changeKey}\"", "id": "{id}"},
       "clientState" (null when none), "tenantId"}

  (the Outlook form: ``resourceData`` with @odata.type/id/etag and id, resourceData reference;
  ``@odata.id`` is "the same value as the resource property"). The notification-level ``id``
  is left out (optional). A deleted event's notification carries its last changeKey.
- **Delivery is driven by the test**: nothing is sent on its own. ``deliver(batch=1)`` POSTs
  everything queued, in order, ``{"value": [...]}`` bodies of at most ``batch`` notifications
  (consecutive ones to the same URL), ``Content-Type: application/json; charset=utf-8``, each
  with a ``delivery_timeout`` of 3 s (Graph's), and returns the statuses (0: no answer in
  time, or no connection). Notifications of subscriptions deleted or expired meanwhile are
  dropped unsent. A non-2xx answer (or 0) keeps the body's notifications queued for the next
  ``deliver()``, up to ``delivery_attempts`` tries (default 4; then they are discarded into
  ``discarded_notifications``). Graph retries with back-off for up to 4 hours: one
  ``deliver()`` is one round here, not a time. ``deliveries`` records every POST the fake made
  (kind validation/change/lifecycle, url, body, status, seconds); ``delivery_times`` the
  seconds of the change and lifecycle ones (Graph counts an answer over 2.9 s as slow and
  throttles endpoints with 10% slow answers; not modelled).
- **Misbehaving on purpose**: ``drop_next_notifications(n)``: the next ``n`` notifications that
  ``deliver()`` takes are lost (into ``dropped_notifications``);
  ``duplicate_next_notifications(n)``: each of the next ``n`` taken is sent twice (the copy
  right after it, so in the same body when ``batch`` > 1); ``reorder_queued()`` reverses the
  queue; ``queued_notifications()`` shows it.
- **Lifecycle** (``send_lifecycle(subscription_id, event)``, sent at once, not queued or
  retried): ``{"value": [{"subscriptionId", "subscriptionExpirationDateTime", "tenantId",
  "clientState", "lifecycleEvent"}]}`` POSTed to the ``lifecycleNotificationUrl``; a
  subscription without one gets nothing (as documented) and the call returns None.
  ``subscriptionRemoved`` also removes the subscription (and what is queued for it);
  ``missed`` drops what is queued for it; ``reauthorizationRequired`` only marks it (delivery
  goes on; a renewal or ``…/reauthorize`` clears the mark, ``needs_reauthorization(id)``).

The user in Outlook (``user_moves_event``, ``user_cancels_event``, ``user_deletes_event``,
``user_removes_attendee``, ``user_edits_body``, ``user_changes_subject``, ``user_responds``;
``event_id`` REST or immutable): each is a real change, with a new changeKey and
lastModifiedDateTime, the attendees' copies following as for API writes, and notifications.
Changing a meeting (move, cancel, remove attendee, body, subject) is for its organiser (a
ValueError for an attendee's copy). Outlook keeps the Teams join information when the user
edits the body. ``user_moves_event`` keeps the event's time zone. Fake choices after Outlook's
behaviour: an attendee who deletes their copy declines (the organiser's event shows
"declined" for them); ``user_responds`` with ``declined`` removes the attendee's copy (Exchange
moves declined meetings out of the calendar), ``accepted``/``tentativelyAccepted`` set its
``responseStatus`` and ``showAs`` busy/tentative; the organiser's event records the response.
``user_moves_event`` on a series master is ``user_moves_series``. For series:
``user_moves_occurrence(address, master_id, original_start, start, end)``,
``user_cancels_occurrence(address, master_id, original_start)`` and
``user_moves_series(address, master_id, start, end)`` (all datetimes aware; see below).

Recurring series (``add_event(..., recurrence={...}, time_zone=...)``;
``occurrence_id(address, master_id, original_start, *, immutable=False)``;
``occurrences(address, master_id, start, end)``: Graph JSON as ``instances`` lists it):

- **Reading.** ``recurrence`` in a POST or PATCH body is a ``patternedRecurrence`` read
  strictly like the rest of the event (``pattern``: type, interval, month, dayOfMonth,
  daysOfWeek, firstDayOfWeek, index; ``range``: type, startDate, endDate, recurrenceTimeZone,
  numberOfOccurrences; enums case-insensitive, dates ``Edm.Date``). ``range`` before
  ``pattern`` in the JSON is 400 ``UnableToDeserializePostBody`` (reported in
  microsoft-graph-docs#11359; the SDK sends pattern first). Only ``daily`` and ``weekly`` are
  modelled; the other pattern types are 501 (a test limit).
- **Checks** (Graph documents which properties each type needs; the answers are fake choices
  where noted): a pattern without ``interval`` (or 0) is 500 ``ErrorInternalServerError`` "An
  internal server error occurred. The operation failed." (what SO 60228248 /
  microsoft-graph-docs#7119 report for it); a missing pattern, range, pattern type, range type
  or ``startDate``, a negative interval, ``weekly`` without ``daysOfWeek``, an ``endDate``
  range without ``endDate`` or ending before ``startDate``, ``numbered`` without a positive
  ``numberOfOccurrences``, or a range without any occurrence is 400
  ``ErrorPropertyValidationFailure`` "At least one property failed validation." (Graph's
  answer for invalid event values; which case gives it is the fake's choice); an unknown
  ``recurrenceTimeZone`` is 400 ``TimeZoneNotSupportedException`` as for ``start``. Properties
  a pattern type does not use are ignored.
- **Series master.** Such an event is ``type: seriesMaster`` with its ``recurrence`` echoed as
  Graph does (documented example): all pattern properties (month/dayOfMonth 0,
  firstDayOfWeek ``sunday``, index ``first`` by default, daysOfWeek lower-case, ``[]`` for
  daily) and range properties (``endDate`` ``0001-01-01`` unless ``endDate``,
  ``numberOfOccurrences`` 0 unless ``numbered``, ``recurrenceTimeZone`` the start's zone by
  default). The master's start is moved to its first occurrence when it is elsewhere (reported
  for Exchange: SO "Insert recurring event on office 365 api returns incorrect start and end
  date"): the pattern starts applying on ``startDate``, the start gives the time of day.
  ``events()`` shows masters, never occurrences; calendarView, getSchedule and
  findMeetingTimes see the occurrences, never the master (as documented for calendarView).
- **Occurrences** are computed from the master: the pattern's days counted from ``startDate``
  (weekly: in weeks starting on ``firstDayOfWeek``, every ``interval`` weeks), at the master's
  local start time in the master's start time zone (so 09:00 stays 09:00 across summer time),
  lasting as long as the master. Fake choice: ``startDate``/``endDate`` are read in the
  master's start time zone (``recurrenceTimeZone`` is echoed, not used). Each occurrence has
  ``type: occurrence`` (``exception`` once changed on its own), ``seriesMasterId`` (the
  master's id in the form asked for: REST, or immutable with ``Prefer: IdType="ImmutableId"``),
  ``originalStart`` (``YYYY-MM-DDTHH:MM:SSZ``, also without ``$select``),
  ``originalStartTimeZone``, ``recurrence`` null, an ``iCalUId`` of its own (documented:
  different per occurrence; here the master's GlobalObjectId with the instance date filled in,
  MS-OXOCAL) and the master's ``uid``, and everything else from the master (subject, body,
  attendees, location, the online meeting with the same joinUrl: a series has one chat).
  Occurrences and exceptions carry the master's changeKey, lastModifiedDateTime and etag (as in
  Graph's event-list-instances example, where an exception and its occurrences share one etag);
  any change to one occurrence changes the master's changeKey (Exchange keeps exceptions on the
  master item).
- **Ids.** An occurrence's id is its master's id with its original start folded in (Exchange's
  ids are built alike, from the master's id and the original start): the same for a given
  (master, originalStart), in either form (REST from the master's REST id, immutable from the
  master's immutable id; the EWS form as for other items). ``GET``/``PATCH``/``DELETE
  …/events/{occurrence-id}`` and ``…/cancel`` take either form while the series has that
  occurrence: an original start off the pattern, outside the range, or of an occurrence
  cancelled or deleted is 404 ``ErrorItemNotFound``. ``translateExchangeIds``,
  ``ews_id``/``immutable_id`` and ``$expand`` of extended properties work on occurrences.
- **instances** (``GET …/events/{id}/instances``): ``startDateTime`` and ``endDateTime`` are
  both required (a missing or empty one: 400 ``ErrorInvalidParameter`` "This request requires
  a time window specified by the query string parameters StartDateTime and EndDateTime.", the
  answer reported in msgraph-sdk-go#454 and msgraph-sdk-powershell#1107; calendarView now
  treats an empty one the same). It lists the occurrences and exceptions overlapping the
  window, by start, with ``$select``, ``$top`` (default 10), ``$skip`` and ``@odata.nextLink``
  as calendarView; cancelled or deleted occurrences are not listed. Fake choice: the instances
  of a single event or of an occurrence are an empty list.
- **One occurrence.** A PATCH of an occurrence makes it an ``exception`` with the same id and
  ``originalStart``, keeping only what the PATCH changed: later changes of the master reach
  what the exception did not change. A new start may not be on or before the day of the
  previous occurrence nor on or after the day of the next one (400
  ``ErrorOccurrenceCrossingBoundary`` "Modified occurrence is crossing or overlapping adjacent
  occurrence.", as documented in event-update; neighbours are the nearest occurrences still
  there, at their current day). ``recurrence`` (or ``transactionId``) in a PATCH of an
  occurrence is 400 ``ErrorInvalidRequest`` (fake text). The body trap applies to the
  occurrence alone. ``POST …/{occurrence-id}/cancel`` (organiser only, documented) and
  ``DELETE`` remove that occurrence from the series.
- **The whole series.** A PATCH of the master's start or end (or ``user_moves_series``) moves
  the series: without a new ``recurrence``, ``range.startDate`` becomes the new start's date;
  the occurrences are recomputed (new original starts, so new ids; the old ids are 404) and
  all exceptions and removed occurrences are dropped, as Outlook does ("Any exceptions
  associated with this recurring appointment will be cancelled"). A PATCH of ``recurrence``
  that changes the pattern, ``startDate`` or ``recurrenceTimeZone`` drops them too; one that
  only changes the range's end (shortened or extended, EWS: "the recurrence pattern is
  recalculated") keeps those still in the series (fake choice). ``recurrence: null`` on a
  master is 501 (not modelled); a single event given a recurrence becomes a master. Cancel or
  DELETE of the master ends the whole series.
- **Attendees' copies.** An attendee mailbox gets its own series master copy (own ids, so
  own occurrence ids, the same recurrence) as for single events, kept in step on every change
  of the organiser's series: the organiser's exceptions are copied, occurrences the organiser
  cancelled or deleted become cancelled exceptions ("Canceled: " subject, ``isCancelled``,
  where they were) in the copy; a cancelled master cancels the copy and all its occurrences.
  Simplified: copies are made and cancelled by the master's attendee list only (attendees
  changed on one occurrence get no copy of their own), and an attendee's answers are for the
  whole series.
- **Notifications.** Creating, changing, cancelling or deleting a series notifies with the
  master's id. A change to one occurrence (exception, cancel, delete; by the API or the test
  controls) is by default an ``updated`` notification for the series master (the organiser's,
  and the copy's for each attendee), with the master's new changeKey: what Graph is reported
  to send (microsoft-graph-docs#5520 "Removal of a recurring event instance causes only update
  notification on the SeriesMaster event", #5951, pnp/PnP#1894 for updated occurrences). Set
  ``occurrence_notifications = "occurrence"`` to get the occurrence's own id instead (REST or
  immutable as the subscription asked): ``updated`` for an exception, ``deleted`` for a
  cancelled or deleted one in the organiser's mailbox, ``updated`` in the copies (there it
  shows cancelled).
- **Test controls.** ``add_event(..., recurrence=..., time_zone="UTC")`` checks the recurrence
  as a POST (a ValueError otherwise). ``occurrence_id`` gives the id of any occurrence of the
  pattern, also a removed one (KeyError off the pattern). ``user_moves_occurrence`` makes an
  exception (the crossing rule applies: ValueError); ``user_cancels_occurrence`` as the cancel
  action; ``user_moves_series`` takes the new first start and end (the pattern keeps its days:
  on a day the pattern does not have, the first occurrence is the next one it has). They are
  for the organiser (ValueError for an attendee's copy); an unknown occurrence is a KeyError.

Fault injection (``fail_next``, ``drop_next``, ``slow_next``, ``fault_rate``, ``hold_next``)
acts before (or, for ``drop_after``/holds/slow, after) the normal processing; fault answers are
recorded in ``requests`` too (a dropped connection has status 0). They match any request,
including translateExchangeIds, the app catalog, installed apps and tabs.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import math
import random
import re
import secrets
import socket
import ssl
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dtime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit
from zoneinfo import ZoneInfo

import httpx
import jwt
import trustme
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
from werkzeug.wrappers import Request, Response

from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.https_server import LoopbackHttps

GRAPH_AUDIENCES = ["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"]
JSON_CONTENT_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;"
    "charset=utf-8"
)
ACCESS_DENIED = "Access is denied. Check credentials and try again."
#: What lets a token read a user's manager (least privileged first), app role or scope alike.
_MANAGER_PERMISSIONS = frozenset(
    {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
)
RAOP_DENIED = (
    "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy "
    "settings."
)
NO_JSON = (
    "Unable to read JSON request payload. Please ensure Content-Type header is set and payload "
    "is of valid JSON format."
)
FAULT_KINDS = ("429", "503", "504", "drop", "drop_after", "slow")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ZERO_TIME = "0001-01-01T00:00:00Z"
DEFAULT_MAX_CANDIDATES = 5
MAX_SCHEDULE_WINDOW = timedelta(days=62)
STEP = timedelta(minutes=30)

# Permissions per kind of operation: (app roles, delegated own mailbox, delegated other mailbox).
_APP = {
    "read": {"Calendars.Read", "Calendars.ReadWrite"},
    "write": {"Calendars.ReadWrite"},
    "find": {"Calendars.Read", "Calendars.ReadWrite"},
}
_OWN = {
    "read": {
        "Calendars.Read",
        "Calendars.ReadWrite",
        "Calendars.Read.Shared",
        "Calendars.ReadWrite.Shared",
    },
    "write": {"Calendars.ReadWrite", "Calendars.ReadWrite.Shared"},
}
_OWN["find"] = _OWN["read"]
_SHARED = {
    "read": {"Calendars.Read.Shared", "Calendars.ReadWrite.Shared"},
    "write": {"Calendars.ReadWrite.Shared"},
}
_SHARED["find"] = _SHARED["read"]

# Strength of a free/busy status, and its availabilityView digit.
_STATUS_RANK = {"free": 0, "unknown": 0, "workingElsewhere": 1, "tentative": 2, "busy": 3, "oof": 4}
_VIEW_DIGIT = {"free": "0", "unknown": "0", "tentative": "1", "busy": "2", "oof": "3"}
_VIEW_DIGIT["workingElsewhere"] = "4"


# -- public data ----------------------------------------------------------------------------------


@dataclass
class Recorded:
    """One request as the fake saw it (``path`` without the ``/v1.0`` prefix)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class _Series:
    """What a series master's item holds besides its recurrence (see "Recurring series")."""

    #: originalStart (UTC) -> the properties changed on that occurrence (an exception).
    exceptions: dict[datetime, dict[str, Any]] = field(default_factory=dict)
    #: originalStart (UTC) of the occurrences cancelled or deleted on their own -> what had
    #: been changed on them (the attendees' copies show them cancelled so).
    removed: dict[datetime, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Mailbox:
    id: str
    address: str
    display_name: str
    time_zone: str
    days: tuple[str, ...]
    start: str
    end: str
    oid: str
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The mailbox id of this user's manager in the directory (`set_manager`), if any.
    manager_id: str | None = None
    transactions: dict[str, str] = field(default_factory=dict)
    #: REST id -> immutable id of each item (kept after the item is deleted; ids are not reused).
    immutable_ids: dict[str, str] = field(default_factory=dict)
    #: REST id -> {property key: {"id", "value"}}: single-value extended properties per item.
    extended: dict[str, dict[tuple[Any, ...], dict[str, str]]] = field(default_factory=dict)
    #: Property key -> MAPI type: a named property has one type in a mailbox.
    property_types: dict[tuple[Any, ...], str] = field(default_factory=dict)
    #: Series master REST id -> its exceptions and removed occurrences.
    series: dict[str, _Series] = field(default_factory=dict)


@dataclass
class Chat:
    id: str
    members: set[str]
    messages: list[dict[str, Any]] = field(default_factory=list)
    #: Catalog ids of the apps installed in the chat, in installation order.
    apps: list[str] = field(default_factory=list)
    #: The chat's tabs as stored (Graph JSON without ``teamsApp``) with their app's catalog id.
    tabs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: Made by the fake for an online meeting (attendees added later by PATCH join it).
    meeting: bool = False


@dataclass
class CatalogApp:
    """An app in the tenant's Teams app catalog (``distributionMethod`` organization)."""

    id: str
    external_id: str
    display_name: str
    client_id: str | None


@dataclass
class StoredSubscription:
    """A subscription on a mailbox's events, as the fake keeps it."""

    id: str
    mailbox_id: str
    resource: str
    change_type: str
    change_types: frozenset[str]
    notification_url: str
    lifecycle_url: str | None
    expiration: datetime
    client_state: str | None
    application_id: str
    creator_id: str
    tls: str
    #: Created with ``Prefer: IdType="ImmutableId"``: notifications carry immutable ids.
    immutable: bool = False
    #: A ``reauthorizationRequired`` lifecycle notification was sent and not yet answered.
    needs_reauthorization: bool = False


@dataclass
class Delivery:
    """One POST the fake made to a subscriber: ``kind`` validation, change or lifecycle."""

    kind: str
    url: str
    body: Any
    status: int
    seconds: float


@dataclass
class _Queued:
    subscription_id: str
    url: str
    tls: str
    item: dict[str, Any]
    attempts: int = 0


class Hold:
    """A request that is processed, then kept from answering until ``release()``."""

    def __init__(self, match: Callable[[Recorded], bool]) -> None:
        self.match = match
        self.reached = threading.Event()
        self.request: Recorded | None = None
        self._released = threading.Event()
        self._claimed = False

    def release(self) -> None:
        self._released.set()


# -- internals: errors, faults, schema ------------------------------------------------------------


class GraphError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class _Dropped(ConnectionAbortedError):
    """Raised after shutting the socket down; werkzeug treats it as a dropped connection."""


@dataclass
class _Fault:
    kind: str  # "status", "drop", "drop_after" or "slow"
    remaining: int = 1
    status: int = 429
    retry_after: int | None = None
    seconds: float = 0.0
    match: Callable[[Recorded], bool] | None = None


@dataclass(frozen=True, eq=False)
class _Prim:
    edm: str


@dataclass(frozen=True, eq=False)
class _Enum:
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class _Complex:
    name: str
    props: dict[str, Any]
    derived: tuple[str, ...] = ()
    unmodelled: frozenset[str] = frozenset()
    #: Navigation properties that may be bound with ``<name>@odata.bind``.
    binds: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)
class _Coll:
    item: Any


STRING = _Prim("Edm.String")
BOOLEAN = _Prim("Edm.Boolean")
INT32 = _Prim("Edm.Int32")
DOUBLE = _Prim("Edm.Double")
DURATION = _Prim("Edm.Duration")
DATETIMEOFFSET = _Prim("Edm.DateTimeOffset")
DATE = _Prim("Edm.Date")

BODY_TYPE = _Enum("microsoft.graph.bodyType", ("text", "html"))
ATTENDEE_TYPE = _Enum("microsoft.graph.attendeeType", ("required", "optional", "resource"))
FREE_BUSY = _Enum(
    "microsoft.graph.freeBusyStatus",
    ("unknown", "free", "tentative", "busy", "oof", "workingElsewhere"),
)
IMPORTANCE = _Enum("microsoft.graph.importance", ("low", "normal", "high"))
SENSITIVITY = _Enum(
    "microsoft.graph.sensitivity", ("normal", "personal", "private", "confidential")
)
PROVIDER = _Enum(
    "microsoft.graph.onlineMeetingProviderType",
    ("unknown", "skypeForBusiness", "skypeForConsumer", "teamsForBusiness"),
)
RESPONSE_TYPE = _Enum(
    "microsoft.graph.responseType",
    ("none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded"),
)
ACTIVITY_DOMAIN = _Enum(
    "microsoft.graph.activityDomain", ("unknown", "work", "personal", "unrestricted")
)
LOCATION_TYPE = _Enum(
    "microsoft.graph.locationType",
    (
        "default",
        "conferenceRoom",
        "homeAddress",
        "businessAddress",
        "geoCoordinates",
        "streetAddress",
        "hotel",
        "restaurant",
        "localBusiness",
        "postalAddress",
    ),
)
UNIQUE_ID_TYPE = _Enum(
    "microsoft.graph.locationUniqueIdType",
    ("unknown", "locationStore", "directory", "private", "bing"),
)

DAY_OF_WEEK = _Enum(
    "microsoft.graph.dayOfWeek",
    ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"),
)
WEEK_INDEX = _Enum("microsoft.graph.weekIndex", ("first", "second", "third", "fourth", "last"))
PATTERN_TYPE = _Enum(
    "microsoft.graph.recurrencePatternType",
    ("daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly"),
)
RANGE_TYPE = _Enum("microsoft.graph.recurrenceRangeType", ("endDate", "noEnd", "numbered"))

EMAIL_ADDRESS = _Complex("emailAddress", {"address": STRING, "name": STRING})
SINGLE_VALUE_PROPERTY = _Complex(
    "singleValueLegacyExtendedProperty", {"id": STRING, "value": STRING}
)
DATE_TIME_TIME_ZONE = _Complex("dateTimeTimeZone", {"dateTime": STRING, "timeZone": STRING})
ITEM_BODY = _Complex("itemBody", {"contentType": BODY_TYPE, "content": STRING})
RESPONSE_STATUS = _Complex("responseStatus", {"response": RESPONSE_TYPE, "time": DATETIMEOFFSET})
_LOCATION_PROPS: dict[str, Any] = {
    "displayName": STRING,
    "locationEmailAddress": STRING,
    "locationUri": STRING,
    "locationType": LOCATION_TYPE,
    "uniqueId": STRING,
    "uniqueIdType": UNIQUE_ID_TYPE,
}
LOCATION = _Complex("location", _LOCATION_PROPS)
LOCATION_ITEM = _Complex(
    "locationConstraintItem", {**_LOCATION_PROPS, "resolveAvailability": BOOLEAN}
)
ATTENDEE = _Complex(
    "attendee", {"emailAddress": EMAIL_ADDRESS, "type": ATTENDEE_TYPE, "status": RESPONSE_STATUS}
)
ATTENDEE_BASE = _Complex(
    "attendeeBase", {"emailAddress": EMAIL_ADDRESS, "type": ATTENDEE_TYPE}, derived=("attendee",)
)
TIME_SLOT = _Complex("timeSlot", {"start": DATE_TIME_TIME_ZONE, "end": DATE_TIME_TIME_ZONE})
TIME_CONSTRAINT = _Complex(
    "timeConstraint", {"activityDomain": ACTIVITY_DOMAIN, "timeSlots": _Coll(TIME_SLOT)}
)
LOCATION_CONSTRAINT = _Complex(
    "locationConstraint",
    {"isRequired": BOOLEAN, "suggestLocation": BOOLEAN, "locations": _Coll(LOCATION_ITEM)},
)
RECURRENCE_PATTERN = _Complex(
    "recurrencePattern",
    {
        "type": PATTERN_TYPE,
        "interval": INT32,
        "month": INT32,
        "dayOfMonth": INT32,
        "daysOfWeek": _Coll(DAY_OF_WEEK),
        "firstDayOfWeek": DAY_OF_WEEK,
        "index": WEEK_INDEX,
    },
)
RECURRENCE_RANGE = _Complex(
    "recurrenceRange",
    {
        "type": RANGE_TYPE,
        "startDate": DATE,
        "endDate": DATE,
        "recurrenceTimeZone": STRING,
        "numberOfOccurrences": INT32,
    },
)
PATTERNED_RECURRENCE = _Complex(
    "patternedRecurrence", {"pattern": RECURRENCE_PATTERN, "range": RECURRENCE_RANGE}
)
_TYPES: dict[str, _Complex] = {
    t.name: t
    for t in (
        EMAIL_ADDRESS,
        RECURRENCE_PATTERN,
        RECURRENCE_RANGE,
        PATTERNED_RECURRENCE,
        DATE_TIME_TIME_ZONE,
        ITEM_BODY,
        RESPONSE_STATUS,
        LOCATION,
        LOCATION_ITEM,
        ATTENDEE,
        ATTENDEE_BASE,
        TIME_SLOT,
        TIME_CONSTRAINT,
        LOCATION_CONSTRAINT,
    )
}

# Relationships of an event: never in a body.
_EVENT_NAVIGATION = frozenset(
    [
        "attachments",
        "calendar",
        "extensions",
        "instances",
        "exceptionOccurrences",
        "multiValueExtendedProperties",
        "singleValueExtendedProperties",
    ]
)
# Real event properties (v1.0) that this fake stores or serves but does not accept in a body.
_EVENT_NOT_WRITABLE_HERE = _EVENT_NAVIGATION | frozenset(
    [
        "id",
        "createdDateTime",
        "lastModifiedDateTime",
        "changeKey",
        "originalStartTimeZone",
        "originalEndTimeZone",
        "originalStart",
        "iCalUId",
        "uid",
        "hasAttachments",
        "bodyPreview",
        "isCancelled",
        "isOrganizer",
        "isDraft",
        "seriesMasterId",
        "type",
        "webLink",
        "onlineMeetingUrl",
        "occurrenceId",
        "responseStatus",
        "locations",
        "organizer",
        "onlineMeeting",
        "cancelledOccurrences",
    ]
)
EVENT = _Complex(
    "event",
    {
        "subject": STRING,
        "body": ITEM_BODY,
        "start": DATE_TIME_TIME_ZONE,
        "end": DATE_TIME_TIME_ZONE,
        "attendees": _Coll(ATTENDEE),
        "isOnlineMeeting": BOOLEAN,
        "onlineMeetingProvider": PROVIDER,
        "categories": _Coll(STRING),
        "transactionId": STRING,
        "showAs": FREE_BUSY,
        "importance": IMPORTANCE,
        "sensitivity": SENSITIVITY,
        "isReminderOn": BOOLEAN,
        "reminderMinutesBeforeStart": INT32,
        "allowNewTimeProposals": BOOLEAN,
        "responseRequested": BOOLEAN,
        "hideAttendees": BOOLEAN,
        "isAllDay": BOOLEAN,
        "location": LOCATION,
        "recurrence": PATTERNED_RECURRENCE,
        "singleValueExtendedProperties": _Coll(SINGLE_VALUE_PROPERTY),
    },
    unmodelled=_EVENT_NOT_WRITABLE_HERE,
)
#: Properties a $select may name (structural properties of microsoft.graph.event).
EVENT_SELECTABLE = {
    name.lower(): name for name in (set(EVENT.props) | _EVENT_NOT_WRITABLE_HERE) - _EVENT_NAVIGATION
}

CANCEL_PARAMS: dict[str, Any] = {"comment": STRING}
SCHEDULE_PARAMS: dict[str, Any] = {
    "schedules": _Coll(STRING),
    "startTime": DATE_TIME_TIME_ZONE,
    "endTime": DATE_TIME_TIME_ZONE,
    "availabilityViewInterval": INT32,
}
FIND_PARAMS: dict[str, Any] = {
    "attendees": _Coll(ATTENDEE_BASE),
    "locationConstraint": LOCATION_CONSTRAINT,
    "timeConstraint": TIME_CONSTRAINT,
    "meetingDuration": DURATION,
    "maxCandidates": INT32,
    "isOrganizerOptional": BOOLEAN,
    "returnSuggestionReasons": BOOLEAN,
    "minimumAttendeePercentage": DOUBLE,
}

EXCHANGE_ID_FORMAT = _Enum(
    "microsoft.graph.exchangeIdFormat",
    ("entryId", "ewsId", "immutableEntryId", "restId", "restImmutableEntryId"),
)
TRANSLATE_PARAMS: dict[str, Any] = {
    "inputIds": _Coll(STRING),
    "sourceIdType": EXCHANGE_ID_FORMAT,
    "targetIdType": EXCHANGE_ID_FORMAT,
}
_MODELLED_ID_FORMATS = ("ewsId", "restId", "restImmutableEntryId")
_ID_ALPHABET = {
    "ewsId": re.compile(r"^[A-Za-z0-9+/]+={0,2}$"),
    "restId": re.compile(r"^[A-Za-z0-9_-]+={0,2}$"),
    "restImmutableEntryId": re.compile(r"^[A-Za-z0-9_-]+={0,2}$"),
}
#: translateExchangeIds is delegated-only ("Application: Not supported").
_TRANSLATE_SCOPES = (
    "User.ReadBasic.All",
    "AgentIdUser.ReadWrite.All",
    "AgentIdUser.ReadWrite.IdentityParentedBy",
    "User.Read",
    "User.Read.All",
    "User.ReadWrite",
    "User.ReadWrite.All",
)
NOT_IN_STORE = "The specified object was not found in the store."
#: Properties an occurrence takes from its place in the series, never from a PATCH of it.
_INSTANCE_OWN = frozenset(
    [
        "@odata.etag",
        "id",
        "createdDateTime",
        "lastModifiedDateTime",
        "changeKey",
        "originalStartTimeZone",
        "originalEndTimeZone",
        "iCalUId",
        "uid",
        "seriesMasterId",
        "type",
        "webLink",
        "recurrence",
        "originalStart",
        "transactionId",
    ]
)
ID_MALFORMED = "Id is malformed."

# Single-value extended property ids: "{type} {guid} Name {name}", "{type} {guid} Id 0x{hex}"
# or "{type} 0x{proptag}" (extended-properties-overview).
_PROPERTY_TYPES = {
    name.lower(): name
    for name in (
        "ApplicationTime",
        "Binary",
        "Boolean",
        "CLSID",
        "Currency",
        "Double",
        "Error",
        "Float",
        "Integer",
        "Long",
        "Null",
        "Object",
        "Short",
        "String",
        "SystemTime",
    )
}
_PROPERTY_TYPES_NOT_MODELLED = ("ApplicationTime", "Error", "Null", "Object")
_GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_PROPERTY_ID = re.compile(
    rf"^(\w+) +(?:\{{({_GUID})\}} +(?:(?i:name) +(\S(?:.*\S)?)|(?i:id) +0[xX]([0-9A-Fa-f]{{1,8}}))"
    r"|0[xX]([0-9A-Fa-f]{1,4}))$"
)
INVALID_PROPERTY = "The extended property attribute combination is invalid."
_SVEP = "singleValueExtendedProperties"
_EXPAND_FILTER = re.compile(r"^(\w+)\s*\(\s*\$filter\s*=(.*)\)\s*$", re.IGNORECASE | re.DOTALL)
_ID_EQ = re.compile(r"^\s*id\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_PREFER_ID_TYPE = re.compile(r'IdType\s*=\s*"?([A-Za-z]+)"?', re.IGNORECASE)

# Teams apps, app installations and tabs in chats.
TEAMS_TAB_CONFIGURATION = _Complex(
    "teamsTabConfiguration",
    {"entityId": STRING, "contentUrl": STRING, "websiteUrl": STRING, "removeUrl": STRING},
)
TEAMS_TAB = _Complex(
    "teamsTab",
    {"displayName": STRING, "configuration": TEAMS_TAB_CONFIGURATION},
    unmodelled=frozenset(["id", "webUrl", "teamsApp"]),
    binds=frozenset(["teamsApp"]),
)
RSC_PERMISSION = _Complex(
    "teamsAppResourceSpecificPermission",
    {
        "permissionType": _Enum(
            "microsoft.graph.teamsAppResourceSpecificPermissionType", ("delegated", "application")
        ),
        "permissionValue": STRING,
    },
)
PERMISSION_SET = _Complex(
    "teamsAppPermissionSet", {"resourceSpecificPermissions": _Coll(RSC_PERMISSION)}
)
TEAMS_APP_INSTALLATION = _Complex(
    "teamsAppInstallation",
    {"consentedPermissionSet": PERMISSION_SET},
    unmodelled=frozenset(["id", "teamsApp", "teamsAppDefinition"]),
    binds=frozenset(["teamsApp"]),
)
# Permissions (least privileged first, as Graph's reference lists them). "Self" permissions
# reach only the calling app's own installation and tabs. Resource-specific permissions
# (names ending in .Chat) are read from the token's roles: resource-specific consent is not
# modelled.
_INSTALL_ROLES = (
    "TeamsAppInstallation.ReadWriteSelfForChat.All",
    "Chat.Manage.Chat",
    "TeamsAppInstallation.ManageSelectedForChat.All",
    "TeamsAppInstallation.ReadWriteAndConsentForChat.All",
    "TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All",
    "TeamsAppInstallation.ReadWriteForChat.All",
)
_INSTALL_SCOPES = (
    "TeamsAppInstallation.ReadWriteSelfForChat",
    "TeamsAppInstallation.ManageSelectedForChat",
    "TeamsAppInstallation.ReadWriteAndConsentForChat",
    "TeamsAppInstallation.ReadWriteAndConsentSelfForChat",
    "TeamsAppInstallation.ReadWriteForChat",
)
_LIST_APPS_ROLES = (
    "TeamsAppInstallation.ReadForChat.All",
    *_INSTALL_ROLES,
    "TeamsAppInstallation.Read.Chat",
)
_LIST_APPS_SCOPES = ("TeamsAppInstallation.ReadForChat", *_INSTALL_SCOPES)
_ADD_TAB_ROLES = (
    "TeamsTab.Create",
    "TeamsTab.Create.Chat",
    "TeamsTab.ReadWrite.All",
    "TeamsTab.ReadWrite.Chat",
    "TeamsTab.ReadWriteForChat.All",
    "TeamsTab.ReadWriteSelfForChat.All",
)
_ADD_TAB_SCOPES = (
    "TeamsTab.Create",
    "TeamsTab.ReadWrite.All",
    "TeamsTab.ReadWriteForChat",
    "TeamsTab.ReadWriteSelfForChat",
)
_LIST_TABS_ROLES = (
    "TeamsTab.Read.All",
    "TeamsTab.ReadWrite.All",
    "TeamsTab.ReadWriteForChat.All",
    "TeamsTab.ReadWriteSelfForChat.All",
)
_LIST_TABS_SCOPES = (
    "TeamsTab.Read.All",
    "TeamsTab.ReadWrite.All",
    "TeamsTab.ReadWriteForChat",
    "TeamsTab.ReadWriteSelfForChat",
)
_CATALOG_ROLES = (
    "AppCatalog.Read.All",
    "AppCatalog.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
)
_CATALOG_SCOPES = (
    "AppCatalog.Submit",
    "AppCatalog.Read.All",
    "AppCatalog.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
)
_CATALOG_FIELDS = ("id", "externalId", "displayName", "distributionMethod")
_APP_BIND = re.compile(r"^(.*)/appCatalogs/teamsApps/([^/?#]+)$", re.IGNORECASE)
_EQ_CLAUSE = re.compile(r"^\s*([\w/]+)\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
PUBLIC_GRAPH = "https://graph.microsoft.com/v1.0"

CHAT_IMPORTANCE = _Enum("microsoft.graph.chatMessageImportance", ("normal", "high", "urgent"))
CHAT_ATTACHMENT = _Complex(
    "chatMessageAttachment",
    {
        "id": STRING,
        "contentType": STRING,
        "contentUrl": STRING,
        "content": STRING,
        "name": STRING,
        "thumbnailUrl": STRING,
        "teamsAppId": STRING,
    },
)
#: Real chatMessage properties this fake does not accept in a body (answered 501).
_CHAT_MESSAGE_NOT_WRITABLE_HERE = frozenset(
    [
        "id",
        "replyToId",
        "from",
        "etag",
        "messageType",
        "createdDateTime",
        "lastModifiedDateTime",
        "lastEditedDateTime",
        "deletedDateTime",
        "summary",
        "chatId",
        "channelIdentity",
        "locale",
        "webUrl",
        "mentions",
        "reactions",
        "hostedContents",
        "policyViolation",
        "eventDetail",
        "messageHistory",
        "replies",
    ]
)
CHAT_MESSAGE = _Complex(
    "chatMessage",
    {
        "body": ITEM_BODY,
        "attachments": _Coll(CHAT_ATTACHMENT),
        "subject": STRING,
        "importance": CHAT_IMPORTANCE,
    },
    unmodelled=_CHAT_MESSAGE_NOT_WRITABLE_HERE,
)
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
APP_ONLY_CHAT_POST = (
    "Message POST is allowed in application-only context only for import purposes. Refer to "
    "https://docs.microsoft.com/microsoftteams/platform/graph-api/import-messages/"
    "import-external-messages-to-teams for more details."
)
_CHAT_SEND_SCOPES = ("ChatMessage.Send", "Chat.ReadWrite")
_CHAT_READ_SCOPES = ("Chat.Read", "Chat.ReadWrite", "ChatMessage.Read")
_CHAT_READ_ROLES = ("Chat.Read.All", "Chat.ReadWrite.All")
_ATTACHMENT_TAG = re.compile(
    r"<attachment\s+id\s*=\s*(?:\"([^\"]*)\"|'([^']*)')\s*/?>", re.IGNORECASE
)

# Change notifications (subscriptions on events).
SUBSCRIPTION = _Complex(
    "subscription",
    {
        "changeType": STRING,
        "notificationUrl": STRING,
        "lifecycleNotificationUrl": STRING,
        "resource": STRING,
        "expirationDateTime": DATETIMEOFFSET,
        "clientState": STRING,
        "latestSupportedTlsVersion": STRING,
        "includeResourceData": BOOLEAN,
    },
    unmodelled=frozenset(
        [
            "id",
            "applicationId",
            "creatorId",
            "encryptionCertificate",
            "encryptionCertificateId",
            "notificationQueryOptions",
            "notificationUrlAppId",
            "notificationContentType",
        ]
    ),
)
CHANGE_TYPES = ("created", "updated", "deleted")
LIFECYCLE_EVENTS = ("reauthorizationRequired", "subscriptionRemoved", "missed")
TLS_VERSIONS = {"v1_2": ssl.TLSVersion.TLSv1_2, "v1_3": ssl.TLSVersion.TLSv1_3}
_SUBSCRIBE_ROLES = frozenset(["Calendars.Read", "Calendars.ReadWrite"])
_SUBSCRIBE_SCOPES = frozenset(["Calendars.Read", "Calendars.ReadWrite"])
_EVENTS_RESOURCE = re.compile(r"^/?(?:(me)|users/([^/?#()']+))/events$", re.IGNORECASE)
VALIDATION_FAILED = (
    "Subscription validation request failed. Notification endpoint must respond with 200 OK to "
    "validation request."
)
VALIDATION_MISMATCH = (
    "Subscription validation request failed. Response must exactly match validationToken query "
    "parameter."
)
VALIDATION_CONTENT_TYPE = (
    "Subscription validation request failed. Response must be of content type text/plain."
)
VALIDATION_TIMED_OUT = "Subscription validation request timed out."
SUBSCRIPTION_NOT_FOUND = "The object was not found."

_LOCAL_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$")
_QUERY_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?"
    r"(Z|[+-]\d{2}:\d{2})?$"
)
_DURATION = re.compile(
    r"^(-)?P(?!$)(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^\s*[+-]?\d+\s*$")
_FLOAT = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_PREFER_TZ = re.compile(r'outlook\.timezone\s*=\s*(?:"([^"]*)"|([^,;\s]+))', re.IGNORECASE)


# -- time helpers ---------------------------------------------------------------------------------

_WINDOWS_ZONES = {name.lower(): olson for name, olson in WINDOWS_TO_OLSON.items()}


@lru_cache(maxsize=256)
def zone(name: str) -> tzinfo | None:
    """A Windows ("W. Europe Standard Time") or IANA ("Europe/Amsterdam") name, or None."""
    if not name or not name.strip():
        return None
    olson = _WINDOWS_ZONES.get(name.lower())
    if olson is not None:
        return ZoneInfo(olson)
    if name.upper() == "UTC":
        return UTC
    if "/" not in name or name.startswith("/") or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):
        return None


def graph_datetime(value: datetime) -> str:
    """Wall time as Graph writes it: seven fractional digits, no offset."""
    return value.strftime("%Y-%m-%dT%H:%M:%S") + f".{value.microsecond:06d}0"


def _stamp(value: datetime | None = None) -> str:
    return graph_datetime((value or datetime.now(UTC)).astimezone(UTC)) + "Z"


def _parse_local(value: str) -> datetime | None:
    match = _LOCAL_DATETIME.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    micro = int((fraction or "0").ljust(7, "0")[:6])
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro)
    except ValueError:
        return None


def _in_zone(value: datetime, zone_name: str) -> dict[str, str]:
    tz = zone(zone_name)
    assert tz is not None
    return {"dateTime": graph_datetime(value.astimezone(tz)), "timeZone": zone_name}


def _utc_of(dttz: dict[str, Any]) -> datetime:
    """The UTC instant of a stored (already validated) dateTimeTimeZone."""
    local = _parse_local(dttz["dateTime"])
    tz = zone(dttz["timeZone"])
    assert local is not None and tz is not None
    return local.replace(tzinfo=tz).astimezone(UTC)


def _check_dttz(value: Any, what: str) -> datetime:
    """Validate a dateTimeTimeZone from a request as Exchange does; return its UTC instant."""
    if not isinstance(value, dict):
        raise GraphError(400, "ErrorInvalidRequest", f"The {what} must be specified.")
    tz_name = value.get("timeZone") or ""
    tz = zone(tz_name)
    if tz is None:
        raise GraphError(
            400,
            "TimeZoneNotSupportedException",
            "A valid TimeZone value must be specified. The following TimeZone value is not "
            f"supported: '{tz_name}'.",
        )
    local = _parse_local(value.get("dateTime") or "")
    if local is None:
        raise GraphError(400, "UnableToDeserializePostBody", "were unable to deserialize ")
    return local.replace(tzinfo=tz).astimezone(UTC)


def _ceil_step(value: datetime) -> datetime:
    seconds = value.timestamp()
    step = STEP.total_seconds()
    return datetime.fromtimestamp(math.ceil(seconds / step) * step, UTC)


def _overlaps(start: datetime, end: datetime, lo: datetime, hi: datetime) -> bool:
    if start == end:
        return lo <= start < hi
    return start < hi and end > lo


# -- strict JSON / OData reading ------------------------------------------------------------------


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _node(value: Any) -> str:
    if isinstance(value, dict):
        return "StartObject"
    if isinstance(value, list):
        return "StartArray"
    return "PrimitiveValue"


def _body_read(message: str) -> GraphError:
    return GraphError(400, "RequestBodyRead", message)


def _literal(value: Any) -> str:
    """How .NET prints a JSON value in ODataLib's conversion errors."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _convert_error(value: Any, edm: str) -> GraphError:
    return _body_read(
        f"Cannot convert the literal '{_literal(value)}' to the expected type '{edm}'."
    )


def _read_primitive(value: Any, typ: _Prim, name: str) -> Any:
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise _body_read(
            f"An unexpected '{_node(value)}' node was found for property named '{name}' when "
            "reading from the JSON reader. A 'PrimitiveValue' node was expected."
        )
    edm = typ.edm
    if isinstance(value, str):
        # ODataLib converts JSON strings to the expected primitive type.
        if edm == "Edm.String":
            return value
        if edm == "Edm.Boolean" and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if edm == "Edm.Int32" and _INT.match(value) and -(2**31) <= int(value) < 2**31:
            return int(value)
        if edm == "Edm.Double" and _FLOAT.match(value):
            return float(value)
        if edm == "Edm.Duration":
            duration = _parse_duration(value)
            if duration is not None:
                return duration
        if edm == "Edm.Date" and _DATE.match(value):
            with contextlib.suppress(ValueError):
                date.fromisoformat(value)
                return value
        if edm == "Edm.DateTimeOffset":
            with contextlib.suppress(ValueError):
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
                if parsed.tzinfo is not None:
                    return value
        raise _convert_error(value, edm)
    if isinstance(value, bool):
        if edm == "Edm.Boolean":
            return value
        raise _convert_error(value, edm)
    if isinstance(value, int):
        if edm == "Edm.Int32" and -(2**31) <= value < 2**31:
            return value
        if edm == "Edm.Double":
            return float(value)
        raise _convert_error(value, edm)
    if isinstance(value, float):
        if edm == "Edm.Double":
            return value
        raise _convert_error(value, edm)
    raise _convert_error(value, edm)


def _parse_duration(value: str) -> timedelta | None:
    match = _DURATION.match(value)
    if match is None or value.endswith("T"):
        return None
    sign, days, hours, minutes, seconds = match.groups()
    duration = timedelta(
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=float(seconds or 0),
    )
    return -duration if sign else duration


def _read_value(value: Any, typ: Any, name: str, ci: bool) -> Any:
    if isinstance(typ, _Coll):
        if value is None:
            kind = _type_name(typ)
            raise _body_read(
                f"A null value was found for the property named '{name}', which has the "
                f"expected type '{kind}[Nullable=False]'. The expected type "
                f"'{kind}[Nullable=False]' does not allow null values."
            )
        if not isinstance(value, list):
            raise _body_read(
                f"An unexpected '{_node(value)}' node was found when reading from the JSON "
                "reader. A 'StartArray' node was expected."
            )
        items = []
        for item in value:
            if item is None:
                raise _body_read(
                    f"A null value was found in a collection of type '{_type_name(typ)}'. "
                    "Null values are not allowed in this collection."
                )
            items.append(_read_value(item, typ.item, name, ci))
        return items
    if isinstance(typ, _Complex):
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _body_read(
                f"An unexpected '{_node(value)}' node was found when reading from the JSON "
                "reader. A 'StartObject' node was expected."
            )
        return _read_object(value, typ, ci)
    if isinstance(typ, _Enum):
        if value is None:
            return None
        if isinstance(value, dict | list):
            raise _body_read(
                f"An unexpected '{_node(value)}' node was found for property named '{name}' "
                "when reading from the JSON reader. A 'PrimitiveValue' node was expected."
            )
        if not isinstance(value, str):
            raise _convert_error(value, typ.name)
        for member in typ.members:
            if member.lower() == value.strip().lower():
                return member
        raise _body_read(f"Requested value '{value}' was not found.")
    return _read_primitive(value, typ, name)


def _type_name(typ: Any) -> str:
    if isinstance(typ, _Coll):
        return f"Collection({_type_name(typ.item)})"
    if isinstance(typ, _Complex):
        return f"microsoft.graph.{typ.name}"
    if isinstance(typ, _Enum):
        return typ.name
    return str(typ.edm)


def _read_object(value: dict[str, Any], typ: _Complex, ci: bool) -> dict[str, Any]:
    schema = typ
    if "@odata.type" in value:
        given = value["@odata.type"]
        allowed = {f"#microsoft.graph.{n}": _TYPES.get(n, typ) for n in (typ.name, *typ.derived)}
        if not isinstance(given, str) or given not in allowed:
            raise _body_read(
                f"A resource with type '{str(given).lstrip('#')}' was found, but it is not "
                f"assignable to the expected type 'microsoft.graph.{typ.name}'. The type "
                "specified in the resource must be equal to either the expected type or a "
                "derived type."
            )
        schema = allowed[given]
    names = {n.lower(): n for n in schema.props}
    out: dict[str, Any] = {}
    for key, raw in value.items():
        if key == "@odata.type":
            continue
        if "@" in key:
            prop, _, annotation = key.partition("@")
            if prop and annotation == "odata.bind":
                if prop not in schema.binds:
                    raise GraphError(
                        400, "BadRequest", f"Invalid bind property name {prop} in request."
                    )
                out[key] = _read_primitive(raw, STRING, key)
                continue
            raise _body_read(
                f"The annotation '{annotation}' was found. This annotation is either not "
                "recognized or not expected at the current position."
            )
        name = names.get(key.lower()) if ci else (key if key in schema.props else None)
        if name is None:
            if key in schema.unmodelled:
                raise GraphError(
                    501,
                    "NotImplemented",
                    f"GraphFake does not model writing the property '{key}' of "
                    f"'microsoft.graph.{schema.name}'.",
                )
            raise _body_read(
                f"The property '{key}' does not exist on type 'microsoft.graph.{schema.name}'. "
                "Make sure to only use property names that are defined by the type or mark the "
                "type as open type."
            )
        if name in out:
            raise _body_read(
                f"Multiple property names '{name}' were found. Duplicate property names are "
                "not allowed."
            )
        out[name] = _read_value(raw, schema.props[name], name, ci)
    return out


def _read_parameters(value: dict[str, Any], params: dict[str, Any], action: str) -> dict[str, Any]:
    """Action parameters: names matched case-insensitively, values read like properties."""
    names = {n.lower(): n for n in params}
    out: dict[str, Any] = {}
    for key, raw in value.items():
        if key == "@odata.type":
            continue
        name = names.get(key.lower())
        if name is None or name in out:
            raise _body_read(
                f"The parameter '{key}' in the request payload is not a valid parameter for "
                f"the operation '{action}'."
            )
        out[name] = _read_value(raw, params[name], name, ci=True)
    return out


# -- the fake -------------------------------------------------------------------------------------


class GraphFake:
    """Microsoft Graph v1.0 calendar endpoints over HTTPS on 127.0.0.1 (see module docstring)."""

    host = "127.0.0.1"

    def __init__(self, entra: EntraFake, *, ca: trustme.CA | None = None) -> None:
        self.entra = entra
        self.ca = ca or entra.ca
        #: Graph documents findMeetingTimes as delegated-only; set True to let app tokens in.
        self.allow_app_find_meeting_times = False
        self.requests: list[Recorded] = []
        #: Tracebacks of unexpected exceptions in the fake (answered 500); empty when healthy.
        self.errors: list[str] = []
        self._key = jwt.PyJWK(entra.jwks()["keys"][0]).key
        self._lock = threading.RLock()
        self._mailboxes: dict[str, Mailbox] = {}
        self._chats: dict[str, Chat] = {}
        self._catalog: dict[str, CatalogApp] = {}
        self._last_message_id = 0
        self._app_policy: set[str] | None = None
        self._faults: list[_Fault] = []
        self._holds: list[Hold] = []
        self._rate = 0.0
        self._rate_kinds: tuple[str, ...] = FAULT_KINDS
        self._rate_retry_after = 0
        self._rate_slow = 0.0
        self._rng = random.Random(0)
        self._stopping = threading.Event()
        self._server: LoopbackHttps | None = None
        #: The fake's clock (aware datetimes): subscription expiry and event timestamps.
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        #: Seconds the subscriber has to answer a validation request (Graph: 10).
        self.validation_timeout = 10.0
        #: Seconds the subscriber has to answer a notification POST (Graph: 3).
        self.delivery_timeout = 3.0
        #: Longest subscription lifetime accepted, in minutes (see "Change notifications").
        self.max_subscription_minutes = 4230
        #: Delivery tries of a notification before it is discarded.
        self.delivery_attempts = 4
        #: Every POST the fake made to subscribers, oldest first.
        self.deliveries: list[Delivery] = []
        #: Notifications lost on purpose (``drop_next_notifications``, ``missed``).
        self.dropped_notifications: list[dict[str, Any]] = []
        #: Notifications given up after ``delivery_attempts`` failed tries.
        self.discarded_notifications: list[dict[str, Any]] = []
        #: What a change to one occurrence of a series notifies: "master" (an ``updated`` for
        #: the series master, as Graph is reported to do) or "occurrence" (the occurrence's id).
        self.occurrence_notifications = "master"
        self._subscriptions: dict[str, StoredSubscription] = {}
        self._queue: list[_Queued] = []
        self._drop_notifications = 0
        self._duplicate_notifications = 0
        # Imported here: that module builds on this one's schema helpers.
        from tests.microsoft.graph_fake_notify import Notifications

        #: The activity feed and sendMail endpoints, their state and test controls.
        self.notify = Notifications(self)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> GraphFake:
        self._server = LoopbackHttps(self._wsgi, self.ca, self.host)
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            for hold in self._holds:
                hold.release()
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.port

    @property
    def base_url(self) -> str:
        return f"https://{self.host}:{self.port}/v1.0"

    # -- test controls: data -------------------------------------------------------------------

    def add_mailbox(
        self,
        address: str,
        *,
        display_name: str = "",
        time_zone: str = "W. Europe Standard Time",
        days: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday"),
        start: str = "08:00:00",
        end: str = "17:00:00",
        oid: str | None = None,
    ) -> Mailbox:
        """A user with a mailbox; ``oid`` maps delegated tokens to it (default: its id)."""
        if zone(time_zone) is None:
            raise ValueError(f"unknown time zone {time_zone!r}")
        if any(day not in WEEKDAYS for day in days):
            raise ValueError(f"days must be among {WEEKDAYS}")
        for value in (start, end):
            dtime.fromisoformat(value)
        mailbox_id = str(uuid.uuid4())
        mailbox = Mailbox(
            id=mailbox_id,
            address=address,
            display_name=display_name or address.split("@")[0],
            time_zone=time_zone,
            days=tuple(days),
            start=start,
            end=end,
            oid=oid or mailbox_id,
        )
        with self._lock:
            if self._mailbox_by_address(address) is not None:
                raise ValueError(f"mailbox {address} exists")
            self._mailboxes[mailbox_id] = mailbox
        return mailbox

    def set_manager(self, address: str, manager_address: str | None) -> None:
        """Make ``manager_address``'s user the manager of ``address``'s (None: no manager)."""
        with self._lock:
            user = self._mailbox_by_address(address)
            manager = self._mailbox_by_address(manager_address) if manager_address else None
            if user is None or (manager_address and manager is None):
                raise ValueError("both must be mailboxes of the fake")
            user.manager_id = manager.id if manager is not None else None

    def add_event(
        self,
        address: str,
        subject: str,
        start: datetime,
        end: datetime,
        *,
        show_as: str = "busy",
        is_cancelled: bool = False,
        attendees: Sequence[str] = (),
        online_meeting: bool = False,
        body: str = "",
        recurrence: dict[str, Any] | None = None,
        time_zone: str = "UTC",
    ) -> dict[str, Any]:
        """An existing appointment in that mailbox (aware datetimes), as Outlook makes them.

        ``attendees`` (required) that are mailboxes of the fake get their copy, as for a POST;
        ``online_meeting`` makes it a Teams meeting with a join URL and a meeting chat;
        ``body`` is html. ``recurrence`` (a ``patternedRecurrence`` in Graph JSON, checked as
        a POST would) makes it a series master; ``time_zone`` (Windows or IANA) is the zone of
        its start and end, in which a series' occurrences are computed.
        """
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be aware datetimes")
        if zone(time_zone) is None:
            raise ValueError(f"unknown time zone {time_zone!r}")
        if show_as not in FREE_BUSY.members:
            raise ValueError(f"show_as must be one of {FREE_BUSY.members}")
        if isinstance(attendees, str):
            raise ValueError("attendees is a list of addresses")
        with self._lock:
            mailbox = self._mailbox_by_address(address)
            if mailbox is None:
                raise KeyError(address)
            fields: dict[str, Any] = {
                "subject": subject,
                "start": _in_zone(start, time_zone),
                "end": _in_zone(end, time_zone),
                "showAs": show_as,
            }
            if recurrence is not None:
                try:
                    read = _read_value(recurrence, PATTERNED_RECURRENCE, "recurrence", ci=False)
                    fields["recurrence"] = self._check_recurrence(read, fields["start"])
                except GraphError as error:
                    raise ValueError(f"recurrence: {error}") from None
            if attendees:
                fields["attendees"] = [
                    {"emailAddress": {"address": a}, "type": "required"} for a in attendees
                ]
            if online_meeting:
                fields["isOnlineMeeting"] = True
            if body:
                fields["body"] = {"contentType": "html", "content": body}
            event = self._new_event(mailbox, fields)
            event["isCancelled"] = is_cancelled
            mailbox.events[event["id"]] = event
            self._settle_series(mailbox, event, None)
            self._notify(mailbox, event, "created")
            self._sync_copies(mailbox, event, set())
            self._meeting_chat(mailbox, event)
            return copy.deepcopy(event)

    def events(self, address: str) -> list[dict[str, Any]]:
        """The stored events of that mailbox in Graph JSON, ordered by start."""
        with self._lock:
            mailbox = self._mailbox_by_address(address)
            if mailbox is None:
                raise KeyError(address)
            items = sorted(mailbox.events.values(), key=lambda e: (_utc_of(e["start"]), e["id"]))
            return copy.deepcopy(items)

    def ews_id(self, address: str, event_id: str) -> str:
        """The EWS id (what Office.js gives) of a stored event or an occurrence; ``event_id``:
        REST or immutable."""
        with self._lock:
            _, rest = self._stored(address, event_id, occurrences=True)
            return _ews_of(rest)

    def immutable_id(self, address: str, event_id: str) -> str:
        """The immutable id of a stored event or an occurrence; ``event_id``: REST or immutable."""
        with self._lock:
            mailbox, rest = self._stored(address, event_id, occurrences=True)
            return self._immutable_of(mailbox, rest)

    def extended_properties(self, address: str, event_id: str) -> list[dict[str, str]]:
        """The single-value extended properties stored on that item (``{"id", "value"}``)."""
        with self._lock:
            mailbox, rest = self._stored(address, event_id, occurrences=True)
            return copy.deepcopy(list(mailbox.extended.get(rest, {}).values()))

    def _stored(
        self, address: str, event_id: str, *, occurrences: bool = False
    ) -> tuple[Mailbox, str]:
        """The mailbox and REST id of a stored event (or, if asked, of an occurrence)."""
        mailbox = self._mailbox_by_address(address)
        if mailbox is None:
            raise KeyError(address)
        found = self._find_item(mailbox, event_id)
        if found is None or (found[1] is not None and not occurrences):
            raise KeyError(event_id)
        event, original = found
        if original is not None:
            return mailbox, _occurrence_id(event["id"], original)
        return mailbox, event["id"]

    # -- test controls: recurring series -------------------------------------------------------

    def occurrence_id(
        self, address: str, master_id: str, original_start: datetime, *, immutable: bool = False
    ) -> str:
        """The id (REST, or immutable) of the series' occurrence originally at
        ``original_start`` (aware), also when it was cancelled or deleted since."""
        if original_start.tzinfo is None:
            raise ValueError("original_start must be an aware datetime")
        with self._lock:
            mailbox, master, _ = self._series_control(address, master_id, None)
            original = original_start.astimezone(UTC)
            if original not in self._originals(master, original, original):
                raise KeyError(f"no occurrence of that series at {original.isoformat()}")
            rest = _occurrence_id(master["id"], original)
            return self._immutable_of(mailbox, rest) if immutable else rest

    def occurrences(
        self, address: str, master_id: str, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        """The series' occurrences and exceptions overlapping [start, end), as ``instances``
        lists them (Graph JSON, UTC, REST ids)."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be aware datetimes")
        with self._lock:
            mailbox, master, _ = self._series_control(address, master_id, None)
            found = sorted(
                self._instances(mailbox, master, start.astimezone(UTC), end.astimezone(UTC)),
                key=lambda e: (_utc_of(e["start"]), _utc_of(e["end"]), e["id"]),
            )
            return [self._render(mailbox, item, "UTC") for item in found]

    def user_moves_occurrence(
        self,
        address: str,
        master_id: str,
        original_start: datetime,
        start: datetime,
        end: datetime,
    ) -> None:
        """The organiser drags one occurrence to ``start``-``end`` (aware): an exception.

        Outlook's rule holds (not onto or past the day of a neighbouring occurrence: ValueError).
        """
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be aware datetimes")
        if end < start:
            raise ValueError("end must not be before start")
        with self._lock:
            mailbox, master, original = self._series_control(
                address, master_id, original_start, organiser="move"
            )
            try:
                self._check_crossing(mailbox, master, original, start.astimezone(UTC))
            except GraphError as error:
                raise ValueError(error.message) from None
            instance = self._instance(mailbox, master, original)
            overrides = mailbox.series.setdefault(master["id"], _Series()).exceptions
            changed = overrides.setdefault(original, {})
            changed["start"] = _in_zone(start, instance["start"]["timeZone"])
            changed["end"] = _in_zone(end, instance["end"]["timeZone"])
            self._touch(master)
            self._notify_occurrence(mailbox, master, original, "updated")
            self._sync_copies(mailbox, master, _attendee_addresses(master), occurrence=original)

    def user_cancels_occurrence(
        self, address: str, master_id: str, original_start: datetime
    ) -> None:
        """The organiser cancels one occurrence: gone from the series, cancelled in the copies."""
        with self._lock:
            mailbox, master, original = self._series_control(
                address, master_id, original_start, organiser="cancel"
            )
            self._remove_occurrence(mailbox, master, original)

    def user_moves_series(
        self, address: str, master_id: str, start: datetime, end: datetime
    ) -> None:
        """The organiser moves the whole series: ``start``-``end`` (aware) is its new first
        occurrence (the pattern keeps its days; on a day the pattern does not have, the first
        occurrence is the next day it has). Exceptions and removed occurrences are dropped,
        the occurrences get new original starts (so new ids)."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be aware datetimes")
        if end < start:
            raise ValueError("end must not be before start")
        with self._lock:
            mailbox, master, _ = self._series_control(address, master_id, None, organiser="move")
            old = _attendee_addresses(master)
            before = copy.deepcopy(master)
            master["start"] = _in_zone(start, master["start"]["timeZone"])
            master["end"] = _in_zone(end, master["end"]["timeZone"])
            moved = copy.deepcopy(master["recurrence"])
            local = _parse_local(master["start"]["dateTime"])
            assert local is not None
            moved["range"]["startDate"] = local.date().isoformat()
            try:
                master["recurrence"] = self._check_recurrence(moved, master["start"])
            except GraphError as error:
                master.update(before)
                raise ValueError(error.message) from None
            self._settle_series(mailbox, master, before)
            self._user_changed(mailbox, master, old)

    def _series_control(
        self,
        address: str,
        master_id: str,
        original_start: datetime | None,
        *,
        organiser: str | None = None,
    ) -> tuple[Mailbox, dict[str, Any], datetime]:
        """(mailbox, series master, original start in UTC) for the series test controls; with
        an ``original_start``, that occurrence must exist (KeyError)."""
        if original_start is not None and original_start.tzinfo is None:
            raise ValueError("original_start must be an aware datetime")
        mailbox, rest = self._stored(address, master_id)
        master = mailbox.events[rest]
        if master["type"] != "seriesMaster":
            raise ValueError("that event is not a series master")
        if organiser is not None and not master["isOrganizer"]:
            raise ValueError(f"only the organiser can {organiser} a meeting")
        original = (original_start or _FILETIME_EPOCH).astimezone(UTC)
        if original_start is not None and not self._occurs(mailbox, master, original):
            raise KeyError(f"no occurrence of that series at {original.isoformat()}")
        return mailbox, master, original

    def add_chat(self, chat_id: str, member_oids: set[str] | list[str] | tuple[str, ...]) -> Chat:
        """A chat (e.g. a meeting's ``19:meeting_…@thread.v2``) with these members' object ids."""
        with self._lock:
            if chat_id in self._chats:
                raise ValueError(f"chat {chat_id} exists")
            chat = Chat(chat_id, set(member_oids))
            self._chats[chat_id] = chat
            return chat

    def chat_messages(self, chat_id: str) -> list[dict[str, Any]]:
        """The messages posted to that chat, oldest first, in Graph JSON."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                raise KeyError(chat_id)
            return copy.deepcopy(chat.messages)

    def chat_members(self, chat_id: str) -> set[str]:
        """The object ids of that chat's members."""
        with self._lock:
            return set(self._chat(chat_id).members)

    def add_catalog_app(
        self,
        external_id: str,
        *,
        client_id: str | None = None,
        display_name: str = "Ontwikkelgesprek",
    ) -> str:
        """Our Teams app in the org catalog (manifest id ``external_id``): its catalog id.

        ``client_id`` is the Entra app (the token's ``azp``/``appid``) that *is* this Teams
        app, for the "Self" permissions.
        """
        with self._lock:
            if any(a.external_id == external_id for a in self._catalog.values()):
                raise ValueError(f"app {external_id} is in the catalog already")
            catalog_id = str(uuid.uuid4())
            self._catalog[catalog_id] = CatalogApp(catalog_id, external_id, display_name, client_id)
            return catalog_id

    def chat_apps(self, chat_id: str) -> list[str]:
        """The catalog ids of the apps installed in that chat, in installation order."""
        with self._lock:
            return list(self._chat(chat_id).apps)

    def chat_tabs(self, chat_id: str) -> list[dict[str, Any]]:
        """The chat's tabs in Graph JSON, with ``teamsApp`` expanded, oldest first."""
        with self._lock:
            return [self._tab_json(app, tab, expand=True) for app, tab in self._chat(chat_id).tabs]

    def _chat(self, chat_id: str) -> Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(chat_id)
        return chat

    def restrict_app_access(self, addresses: set[str] | None) -> None:
        """An application access policy: app-only tokens may only touch these mailboxes."""
        with self._lock:
            self._app_policy = None if addresses is None else {a.lower() for a in addresses}

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- test controls: change notifications ---------------------------------------------------

    def subscriptions(self) -> list[dict[str, Any]]:
        """The live subscriptions (not expired by ``now``) in Graph JSON, oldest first."""
        with self._lock:
            self._purge_expired()
            return [self._subscription_json(s) for s in self._subscriptions.values()]

    def needs_reauthorization(self, subscription_id: str) -> bool:
        """Whether a ``reauthorizationRequired`` sent for it is still unanswered."""
        with self._lock:
            return self._live_subscription(subscription_id).needs_reauthorization

    def queued_notifications(self) -> list[dict[str, Any]]:
        """The notifications waiting for ``deliver()``, in the order it would send them."""
        with self._lock:
            return [copy.deepcopy(q.item) for q in self._queue]

    def drop_next_notifications(self, count: int) -> None:
        """The next ``count`` notifications ``deliver()`` takes are lost instead of sent."""
        with self._lock:
            self._drop_notifications += max(0, count)

    def duplicate_next_notifications(self, count: int) -> None:
        """Each of the next ``count`` notifications ``deliver()`` takes is sent twice."""
        with self._lock:
            self._duplicate_notifications += max(0, count)

    def reorder_queued(self) -> None:
        """Reverse the queue: later changes arrive first."""
        with self._lock:
            self._queue.reverse()

    @property
    def delivery_times(self) -> list[float]:
        """Seconds each change or lifecycle notification POST took, oldest first."""
        with self._lock:
            return [d.seconds for d in self.deliveries if d.kind != "validation"]

    def deliver(self, *, batch: int = 1) -> list[int]:
        """POST everything queued (``batch`` notifications per body at most): the statuses.

        Non-2xx answers (0: none in time, or no connection) keep their notifications queued
        for the next call, up to ``delivery_attempts`` tries.
        """
        if batch < 1:
            raise ValueError("batch must be at least 1")
        with self._lock:
            self._purge_expired()
            taken: list[_Queued] = []
            for queued in self._queue:
                if queued.subscription_id not in self._subscriptions:
                    continue  # deleted or expired since: Graph sends nothing more for it
                if self._drop_notifications > 0:
                    self._drop_notifications -= 1
                    self.dropped_notifications.append(copy.deepcopy(queued.item))
                    continue
                taken.append(queued)
                if self._duplicate_notifications > 0:
                    self._duplicate_notifications -= 1
                    taken.append(
                        _Queued(queued.subscription_id, queued.url, queued.tls, queued.item)
                    )
            self._queue = []
        chunks: list[list[_Queued]] = []
        for queued in taken:
            if chunks and chunks[-1][0].url == queued.url and len(chunks[-1]) < batch:
                chunks[-1].append(queued)
            else:
                chunks.append([queued])
        statuses: list[int] = []
        again: list[_Queued] = []
        for chunk in chunks:
            body = {"value": [copy.deepcopy(q.item) for q in chunk]}
            status = self._post_json("change", chunk[0].url, body, chunk[0].tls)
            statuses.append(status)
            if 200 <= status < 300:
                continue
            for queued in chunk:
                queued.attempts += 1
                if queued.attempts < self.delivery_attempts:
                    again.append(queued)
                else:
                    with self._lock:
                        self.discarded_notifications.append(copy.deepcopy(queued.item))
        with self._lock:
            self._queue[:0] = again
        return statuses

    def send_lifecycle(self, subscription_id: str, event: str) -> int | None:
        """POST a lifecycle notification to the subscription's ``lifecycleNotificationUrl``.

        ``event``: reauthorizationRequired, subscriptionRemoved (removes the subscription) or
        missed (drops what is queued for it). The status, or None without a lifecycle URL.
        """
        if event not in LIFECYCLE_EVENTS:
            raise ValueError(f"event must be one of {LIFECYCLE_EVENTS}")
        with self._lock:
            subscription = self._live_subscription(subscription_id)
            item = {
                "subscriptionId": subscription.id,
                "subscriptionExpirationDateTime": _offset_stamp(subscription.expiration),
                "tenantId": self.entra.tenant_id,
                "clientState": subscription.client_state,
                "lifecycleEvent": event,
            }
            if event == "reauthorizationRequired":
                subscription.needs_reauthorization = True
            if event == "subscriptionRemoved":
                del self._subscriptions[subscription.id]
            if event in ("subscriptionRemoved", "missed"):
                mine = [q for q in self._queue if q.subscription_id == subscription.id]
                self._queue = [q for q in self._queue if q.subscription_id != subscription.id]
                self.dropped_notifications.extend(copy.deepcopy(q.item) for q in mine)
        if subscription.lifecycle_url is None:
            return None
        return self._post_json(
            "lifecycle", subscription.lifecycle_url, {"value": [item]}, subscription.tls
        )

    # -- test controls: the user in Outlook ----------------------------------------------------

    def user_moves_event(self, address: str, event_id: str, start: datetime, end: datetime) -> None:
        """The organiser drags the meeting to ``start``-``end`` (aware datetimes)."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be aware datetimes")
        if end < start:
            raise ValueError("end must not be before start")
        with self._lock:
            mailbox, event = self._user_event(address, event_id, "move")
            if event["type"] == "seriesMaster":
                self.user_moves_series(address, event_id, start, end)
                return
            old = _attendee_addresses(event)
            event["start"] = _in_zone(start, event["start"]["timeZone"])
            event["end"] = _in_zone(end, event["end"]["timeZone"])
            self._user_changed(mailbox, event, old)

    def user_changes_subject(self, address: str, event_id: str, subject: str) -> None:
        """The organiser retitles the meeting."""
        with self._lock:
            mailbox, event = self._user_event(address, event_id, "retitle")
            old = _attendee_addresses(event)
            self._apply(event, {"subject": subject})
            self._user_changed(mailbox, event, old)

    def user_edits_body(self, address: str, event_id: str, html: str) -> None:
        """The organiser rewrites the body (Outlook keeps the Teams join information)."""
        with self._lock:
            mailbox, event = self._user_event(address, event_id, "edit")
            old = _attendee_addresses(event)
            self._apply(event, {"body": {"contentType": "html", "content": html}})
            self._user_changed(mailbox, event, old)

    def user_removes_attendee(self, address: str, event_id: str, attendee_address: str) -> None:
        """The organiser takes an attendee off the meeting: their copy is cancelled."""
        with self._lock:
            mailbox, event = self._user_event(address, event_id, "change the attendees of")
            old = _attendee_addresses(event)
            if attendee_address.lower() not in old:
                raise ValueError(f"{attendee_address} is not an attendee of that event")
            event["attendees"] = [
                a
                for a in event["attendees"]
                if a["emailAddress"]["address"].lower() != attendee_address.lower()
            ]
            self._user_changed(mailbox, event, old)

    def user_cancels_event(self, address: str, event_id: str) -> None:
        """The organiser cancels the meeting: copies cancelled, the organiser's event removed."""
        with self._lock:
            mailbox, event = self._user_event(address, event_id, "cancel")
            self._remove_event(mailbox, event)

    def user_deletes_event(self, address: str, event_id: str) -> None:
        """The user deletes the event from their calendar.

        The organiser's meeting: as a cancellation. An attendee's copy: removed, and the
        organiser's event records a decline.
        """
        with self._lock:
            mailbox, event = self._user_event(address, event_id, None)
            if event["isOrganizer"]:
                self._remove_event(mailbox, event)
                return
            self._notify(mailbox, event, "deleted")
            del mailbox.events[event["id"]]
            mailbox.series.pop(event["id"], None)
            self._record_response(mailbox, event, "declined")

    def user_responds(self, address: str, event_id: str, response: str) -> None:
        """An attendee answers the invitation: accepted, tentativelyAccepted or declined."""
        shown = {"accepted": "busy", "tentativelyAccepted": "tentative", "declined": None}
        if response not in shown:
            raise ValueError(f"response must be one of {tuple(shown)}")
        with self._lock:
            mailbox, event = self._user_event(address, event_id, None)
            if event["isOrganizer"]:
                raise ValueError("the organiser does not answer their own meeting")
            if response == "declined":
                self._notify(mailbox, event, "deleted")
                del mailbox.events[event["id"]]
                mailbox.series.pop(event["id"], None)
            else:
                event["responseStatus"] = {"response": response, "time": _stamp(self.now())}
                event["showAs"] = shown[response]
                self._touch(event)
                self._notify(mailbox, event, "updated")
            self._record_response(mailbox, event, response)

    def _user_event(
        self, address: str, event_id: str, organiser_only: str | None
    ) -> tuple[Mailbox, dict[str, Any]]:
        mailbox, rest = self._stored(address, event_id)
        event = mailbox.events[rest]
        if organiser_only is not None and not event["isOrganizer"]:
            raise ValueError(f"only the organiser can {organiser_only} a meeting")
        return mailbox, event

    def _user_changed(self, mailbox: Mailbox, event: dict[str, Any], old: set[str]) -> None:
        self._touch(event)
        self._notify(mailbox, event, "updated")
        self._sync_copies(mailbox, event, old)

    def _remove_event(self, mailbox: Mailbox, event: dict[str, Any]) -> None:
        """Cancel (organiser) or delete an event: copies cancelled, the item removed."""
        self._notify(mailbox, event, "deleted")
        if event["isOrganizer"]:
            self._cancel_copies(event, None)
        del mailbox.events[event["id"]]
        mailbox.series.pop(event["id"], None)

    def _record_response(self, who: Mailbox, copied: dict[str, Any], response: str) -> None:
        """The organiser's event records an attendee's response (Exchange's response tracking)."""
        for mailbox in self._mailboxes.values():
            for event in mailbox.events.values():
                if event["iCalUId"] != copied["iCalUId"] or not event["isOrganizer"]:
                    continue
                for attendee in event["attendees"]:
                    if attendee["emailAddress"]["address"].lower() == who.address.lower():
                        attendee["status"] = {"response": response, "time": _stamp(self.now())}
                self._touch(event)
                self._notify(mailbox, event, "updated")
                return

    # -- test controls: faults -----------------------------------------------------------------

    def fail_next(
        self,
        count: int,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        match: Callable[[Recorded], bool] | None = None,
    ) -> None:
        """The next ``count`` matching requests get this error before being processed."""
        if count <= 0:
            return
        with self._lock:
            self._faults.append(
                _Fault("status", count, status=status, retry_after=retry_after, match=match)
            )

    def drop_next(
        self,
        count: int,
        *,
        after_processing: bool = False,
        match: Callable[[Recorded], bool] | None = None,
    ) -> None:
        """Close the connection without an answer (after the request took effect, if asked)."""
        kind = "drop_after" if after_processing else "drop"
        if count <= 0:
            return
        with self._lock:
            self._faults.append(_Fault(kind, count, match=match))

    def slow_next(
        self, count: int, seconds: float, *, match: Callable[[Recorded], bool] | None = None
    ) -> None:
        """Answer the next ``count`` matching requests normally, but after ``seconds``."""
        if count <= 0:
            return
        with self._lock:
            self._faults.append(_Fault("slow", count, seconds=seconds, match=match))

    def fault_rate(
        self,
        rate: float,
        *,
        seed: int,
        kinds: tuple[str, ...] = FAULT_KINDS,
        retry_after: int = 0,
        slow_seconds: float = 0.0,
    ) -> None:
        """Random faults (of ``kinds``) on that fraction of requests; rate 0 turns it off."""
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown or not kinds:
            raise ValueError(f"kinds must be among {FAULT_KINDS}")
        with self._lock:
            self._rate = rate
            self._rng = random.Random(seed)
            self._rate_kinds = tuple(kinds)
            self._rate_retry_after = retry_after
            self._rate_slow = slow_seconds

    def hold_next(self, match: Callable[[Recorded], bool]) -> Hold:
        """Process the next matching request, then block its answer until ``release()``."""
        hold = Hold(match)
        with self._lock:
            self._holds.append(hold)
        if self._stopping.is_set():
            hold.release()
        return hold

    # -- HTTP plumbing -------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        raw = request.get_data(cache=True)
        path = request.path
        short = path[5:] if path.lower().startswith("/v1.0") else path
        recorded = Recorded(
            method=request.method,
            path=short,
            query=dict(request.args.items()),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=_lenient_json(raw),
        )
        with self._lock:
            self.requests.append(recorded)
        request_id = str(uuid.uuid4())
        client_request_id = request.headers.get("client-request-id") or str(uuid.uuid4())
        ids = (request_id, client_request_id)

        fault = self._take_fault(recorded)
        if fault is not None and fault.kind == "status":
            response = self._fault_response(fault, ids)
            recorded.status = response.status_code
            return response(environ, start_response)
        if fault is not None and fault.kind == "drop":
            _drop(environ)

        hold = self._take_hold(recorded)
        try:
            response = self._handle(request, raw)
        except GraphError as error:
            response = self._error_response(error)
        except Exception as error:
            with self._lock:
                self.errors.append(traceback.format_exc())
            response = self._error_response(
                GraphError(500, "InternalServerError", f"GraphFake failed: {error!r}")
            )
        self._stamp_ids(response, ids)
        recorded.status = response.status_code

        if hold is not None:
            hold.request = recorded
            hold.reached.set()
            hold._released.wait()
        if fault is not None and fault.kind == "drop_after":
            recorded.status = 0
            _drop(environ)
        if fault is not None and fault.kind == "slow":
            self._stopping.wait(fault.seconds)
        return response(environ, start_response)

    def _take_fault(self, recorded: Recorded) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and (fault.match is None or fault.match(recorded)):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return _Fault(
                        fault.kind,
                        status=fault.status,
                        retry_after=fault.retry_after,
                        seconds=fault.seconds,
                    )
            if self._rate <= 0 or self._rng.random() >= self._rate:
                return None
            kind = self._rng.choice(self._rate_kinds)
        if kind in ("429", "503", "504"):
            return _Fault("status", status=int(kind), retry_after=self._rate_retry_after)
        return _Fault(kind, seconds=self._rate_slow)

    def _take_hold(self, recorded: Recorded) -> Hold | None:
        with self._lock:
            for hold in self._holds:
                if not hold._claimed and hold.match(recorded):
                    hold._claimed = True
                    if self._stopping.is_set():
                        hold.release()
                    return hold
        return None

    def _fault_response(self, fault: _Fault, ids: tuple[str, str]) -> Response:
        code, message = {
            429: ("TooManyRequests", "Too many requests. Retry after the given delay."),
            503: ("ServiceUnavailable", "The service is temporarily unavailable."),
            504: ("GatewayTimeout", "The gateway did not receive a timely response."),
        }.get(fault.status, ("UnknownError", "An error occurred."))
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        response = self._error_response(GraphError(fault.status, code, message, headers))
        self._stamp_ids(response, ids)
        return response

    @staticmethod
    def _stamp_ids(response: Response, ids: tuple[str, str]) -> None:
        response.headers["request-id"] = ids[0]
        response.headers["client-request-id"] = ids[1]
        body = response.get_data()
        if response.status_code >= 400 and body.startswith(b'{"error"'):
            data = json.loads(body)
            data["error"]["innerError"]["request-id"] = ids[0]
            data["error"]["innerError"]["client-request-id"] = ids[1]
            response.set_data(json.dumps(data))

    @staticmethod
    def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        response = Response(json.dumps(body), status=status, content_type=JSON_CONTENT_TYPE)
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response

    def _error_response(self, error: GraphError) -> Response:
        body = {
            "error": {
                "code": error.code,
                "message": error.message,
                "innerError": {
                    "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                    "request-id": "",
                    "client-request-id": "",
                },
            }
        }
        headers = dict(error.headers)
        if error.status == 401:
            headers["WWW-Authenticate"] = (
                'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/'
                'oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
            )
        return self._json(body, error.status, headers)

    # -- request handling ----------------------------------------------------------------------

    def _handle(self, request: Request, raw: bytes) -> Response:
        segments = [s for s in request.path.split("/") if s]
        if not segments or segments[0].lower() != "v1.0":
            version = segments[0] if segments else ""
            raise GraphError(400, "BadRequest", f"Invalid version: {version}")
        claims = self._authenticate(request)
        segments = segments[1:]
        if not segments:
            raise GraphError(400, "BadRequest", "Resource not found for the segment ''.")
        head = segments[0].lower()
        if head == "chats":
            return self._chat_request(request, raw, claims, segments[1:])
        if head == "appcatalogs":
            return self._catalog_request(request, claims, segments[1:])
        if head == "subscriptions":
            return self._subscription_request(request, raw, claims, segments[1:])
        if head == "me":
            if "scp" not in claims:
                raise GraphError(
                    400,
                    "BadRequest",
                    "/me request is only valid with delegated authentication flow.",
                )
            user_segment, rest = None, segments[1:]
        elif head == "users" and len(segments) >= 2:
            user_segment, rest = segments[1], segments[2:]
        else:
            raise GraphError(
                400, "BadRequest", f"Resource not found for the segment '{segments[0]}'."
            )
        if [part.lower() for part in rest] == ["manager"]:
            return self._manager_request(request, claims, user_segment)
        if self.notify.handles(rest):  # activity feed and sendMail: graph_fake_notify.py
            # `POST …/messages/{id}/send` has no body (documented: Content-Length 0).
            empty_ok = request.method != "POST" or self.notify.takes_no_body(request.path)
            payload = self._payload(request, raw, empty_ok=empty_ok)
            return self.notify.handle(request, payload or {}, claims, user_segment, rest)
        operation, kind, event_id, allowed = self._route(rest)
        if request.method not in allowed:
            raise GraphError(
                405,
                "BadRequest",
                f"The HTTP method '{request.method}' is not allowed on this resource.",
            )
        if operation == "events" and request.method == "GET":
            raise GraphError(
                501, "NotImplemented", "GraphFake does not model listing /events; use calendarView."
            )
        if operation in ("event", "events"):
            kind = "read" if request.method == "GET" else "write"

        # Graph's OData layer: URI options and body are read before Exchange sees the request.
        single_get = operation == "event" and request.method == "GET"
        select = self._select(request, expand_ok=single_get) if request.method == "GET" else None
        expand = _expand_properties(request) if single_get else None
        payload: dict[str, Any] | None = None
        if request.method in ("POST", "PATCH"):
            payload = self._payload(request, raw, empty_ok=operation not in ("events", "event"))
        read: dict[str, Any] = {}
        if operation in ("events", "event") and payload is not None:
            read = _read_object(payload, EVENT, ci=False)
        elif operation == "cancel":
            read = _read_parameters(payload or {}, CANCEL_PARAMS, "cancel")
        elif operation == "getSchedule":
            read = _read_parameters(payload or {}, SCHEDULE_PARAMS, "getSchedule")
        elif operation == "findMeetingTimes":
            read = _read_parameters(payload or {}, FIND_PARAMS, "findMeetingTimes")
        elif operation == "translate":
            read = _read_parameters(payload or {}, TRANSLATE_PARAMS, "translateExchangeIds")

        if operation == "translate":
            self._check_translate_permission(claims)
        else:
            self._check_permission(claims, kind)
        immutable = operation in ("events", "event", "calendarView", "instances") and (
            _prefer_immutable(request)
        )
        with self._lock:
            mailbox = self._resolve_user(user_segment, claims)
            if operation == "translate":
                self._check_translate_mailbox(claims, mailbox)
            else:
                self._check_mailbox_access(claims, kind, mailbox)
            segment = user_segment if user_segment is not None else mailbox.id
            prefer = _prefer_zone(request)
            if operation == "events":
                response = self._create_event(mailbox, segment, read, prefer, immutable)
            elif operation == "event":
                response = self._event(
                    request.method,
                    mailbox,
                    segment,
                    event_id,
                    read,
                    prefer,
                    immutable=immutable,
                    select=select,
                    expand=expand,
                )
            elif operation == "translate":
                response = self._translate(mailbox, read)
            elif operation == "cancel":
                response = self._cancel(mailbox, event_id)
            elif operation == "calendarView":
                response = self._calendar_view(request, mailbox, segment, select, prefer, immutable)
            elif operation == "instances":
                response = self._instances_request(
                    request, mailbox, segment, event_id, select, prefer, immutable
                )
            elif operation == "findMeetingTimes":
                response = self._find_meeting_times(mailbox, read, prefer)
            else:
                response = self._get_schedule(mailbox, read, prefer)
        applied = []
        if prefer is not None and response.status_code < 300:
            applied.append(f'outlook.timezone="{prefer}"')
        if immutable and response.status_code in (200, 201):
            applied.append('IdType="ImmutableId"')
        if applied:
            response.headers["Preference-Applied"] = ", ".join(applied)
        return response

    def _manager_request(
        self, request: Request, claims: dict[str, Any], user_segment: str | None
    ) -> Response:
        """``GET /users/{u}/manager``: the directory's answer (errors in its own codes)."""
        if request.method != "GET":
            raise GraphError(
                405,
                "Request_BadRequest",
                f"The HTTP method '{request.method}' is not allowed on this resource.",
            )
        granted = set(str(claims.get("scp", "")).split()) | set(claims.get("roles") or [])
        if not granted:
            raise GraphError(
                401,
                "NoPermissionsInAccessToken",
                "The token contains no permissions, or permissions can not be understood.",
            )
        if not granted & _MANAGER_PERMISSIONS:
            raise GraphError(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            )
        not_found = (
            "Resource '{}' does not exist or one of its queried reference-property objects are "
            "not present."
        )
        with self._lock:
            if user_segment is None:
                user = self._resolve_user(None, claims)
            else:
                user = self._mailbox_by_id(user_segment) or self._mailbox_by_address(user_segment)
            if user is None:
                raise GraphError(404, "Request_ResourceNotFound", not_found.format(user_segment))
            manager = self._mailboxes.get(user.manager_id) if user.manager_id else None
            if manager is None:
                raise GraphError(404, "Request_ResourceNotFound", not_found.format("manager"))
            whole = {
                "id": manager.oid,
                "displayName": manager.display_name,
                "mail": manager.address,
                "userPrincipalName": manager.address,
            }
        options = _query_options(request, ("$select",))
        selected = _names(options.get("$select"), tuple(whole), "user") or []
        shown = {p: whole[p] for p in selected} if selected else whole
        what = f"directoryObjects({','.join(selected)})" if selected else "directoryObjects"
        return self._json(
            {
                "@odata.context": f"{self.base_url}/$metadata#{what}/$entity",
                "@odata.type": "#microsoft.graph.user",
                **shown,
            }
        )

    @staticmethod
    def _route(rest: list[str]) -> tuple[str, str, str | None, set[str]]:
        low = [s.lower() for s in rest]
        if low == ["events"]:
            return "events", "write", None, {"POST", "GET"}
        if len(low) == 2 and low[0] == "events":
            return "event", "read", rest[1], {"GET", "PATCH", "DELETE"}
        if len(low) == 3 and low[0] == "events" and low[2] == "cancel":
            return "cancel", "write", rest[1], {"POST"}
        if len(low) == 3 and low[0] == "events" and low[2] == "instances":
            return "instances", "read", rest[1], {"GET"}
        if low in (["calendarview"], ["calendar", "calendarview"]):
            return "calendarView", "read", None, {"GET"}
        if low == ["findmeetingtimes"]:
            return "findMeetingTimes", "find", None, {"POST"}
        if low == ["calendar", "getschedule"]:
            return "getSchedule", "read", None, {"POST"}
        if low == ["translateexchangeids"]:
            return "translate", "translate", None, {"POST"}
        unknown = _first_unknown_segment(rest)
        if unknown is None:
            raise GraphError(
                501, "NotImplemented", f"GraphFake does not model /users/{{id}}/{'/'.join(rest)}."
            )
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{unknown}'.")

    def _authenticate(self, request: Request) -> dict[str, Any]:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
        try:
            jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "CompactToken parsing failed with error code: 80049217",
            ) from None
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=["RS256"],
                audience=GRAPH_AUDIENCES,
                options={"require": ["exp", "aud", "tid"]},
            )
        except jwt.ExpiredSignatureError:
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
            ) from None
        except jwt.InvalidAudienceError:
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "Access token validation failure. Invalid audience.",
            ) from None
        except jwt.PyJWTError:
            raise GraphError(
                401, "InvalidAuthenticationToken", "Access token validation failure."
            ) from None
        if claims.get("tid") != self.entra.tenant_id:
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "Access token validation failure. Invalid issuer or signature.",
            )
        return claims

    def _check_permission(self, claims: dict[str, Any], kind: str) -> None:
        if "scp" in claims:
            granted = set(str(claims["scp"]).split())
            if not granted & (_OWN[kind] | _SHARED[kind]):
                raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)
            return
        roles = claims.get("roles") or []
        if not roles:
            raise GraphError(
                401,
                "NoPermissionsInAccessToken",
                "The token contains no permissions, or permissions can not be understood.",
            )
        if kind == "find" and not self.allow_app_find_meeting_times:
            raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)
        if not set(roles) & _APP[kind]:
            raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)

    def _check_mailbox_access(self, claims: dict[str, Any], kind: str, mailbox: Mailbox) -> None:
        if "scp" in claims:
            granted = set(str(claims["scp"]).split())
            need = _OWN[kind] if claims.get("oid") == mailbox.oid else _SHARED[kind]
            if not granted & need:
                raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)
            return
        if self._app_policy is not None and mailbox.address.lower() not in self._app_policy:
            raise GraphError(403, "ErrorAccessDenied", RAOP_DENIED)

    def _resolve_user(self, segment: str | None, claims: dict[str, Any]) -> Mailbox:
        if segment is None:
            for mailbox in self._mailboxes.values():
                if mailbox.oid == claims.get("oid"):
                    return mailbox
            raise GraphError(
                404, "ErrorInvalidUser", f"The requested user '{claims.get('oid')}' is invalid."
            )
        found = self._mailbox_by_id(segment) or self._mailbox_by_address(segment)
        if found is None:
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{segment}' is invalid.")
        return found

    def _mailbox_by_id(self, value: str) -> Mailbox | None:
        """By mailbox id, or by the user's object id (Graph's user id is the object id)."""
        found = self._mailboxes.get(value.lower())
        if found is not None:
            return found
        for mailbox in self._mailboxes.values():
            if mailbox.oid.lower() == value.lower():
                return mailbox
        return None

    def _mailbox_by_address(self, value: str) -> Mailbox | None:
        for mailbox in self._mailboxes.values():
            if mailbox.address.lower() == value.lower():
                return mailbox
        return None

    @staticmethod
    def _payload(request: Request, raw: bytes, *, empty_ok: bool) -> dict[str, Any] | None:
        if not raw.strip():
            if empty_ok:
                return None
            raise GraphError(400, "BadRequest", NO_JSON)
        if request.mimetype != "application/json":
            raise GraphError(
                415,
                "BadRequest",
                f"The content type '{request.content_type or ''}' is not supported; "
                "use application/json.",
            )
        try:
            value = json.loads(
                raw.decode(request.mimetype_params.get("charset", "utf-8")),
                object_pairs_hook=_no_duplicates,
                parse_constant=_reject_constant,
            )
        except _DuplicateKey as duplicate:
            raise _body_read(
                f"Multiple property names '{duplicate}' were found. Duplicate property names "
                "are not allowed."
            ) from None
        except (ValueError, LookupError):
            raise GraphError(400, "BadRequest", NO_JSON) from None
        if not isinstance(value, dict):
            raise _body_read(
                f"An unexpected '{_node(value)}' node was found when reading from the JSON "
                "reader. A 'StartObject' node was expected."
            )
        return value

    @staticmethod
    def _select(request: Request, *, expand_ok: bool = False) -> list[str] | None:
        known = (
            ("$select", "$top", "$skip", "$expand") if expand_ok else ("$select", "$top", "$skip")
        )
        for key in request.args:
            if key.startswith("$") and key.lower() not in known:
                raise GraphError(
                    501, "NotImplemented", f"GraphFake does not model the query option '{key}'."
                )
        raw = request.args.get("$select")
        if raw is None:
            return None
        names = []
        for part in raw.split(","):
            name = part.strip()
            canonical = EVENT_SELECTABLE.get(name.lower())
            if canonical is None:
                raise GraphError(
                    400,
                    "RequestBroker--ParseUri",
                    f"Could not find a property named '{name}' on type 'microsoft.graph.event'.",
                )
            if canonical not in names:
                names.append(canonical)
        return names

    # -- subscriptions and change notifications ------------------------------------------------

    def _subscription_request(
        self, request: Request, raw: bytes, claims: dict[str, Any], rest: list[str]
    ) -> Response:
        low = [segment.lower() for segment in rest]
        if not rest:
            allowed = {"POST", "GET"}
        elif len(rest) == 1:
            allowed = {"GET", "PATCH", "DELETE"}
        elif len(rest) == 2 and low[1] == "reauthorize":
            allowed = {"POST"}
        else:
            what = "/".join(["subscriptions", *rest])
            raise GraphError(501, "NotImplemented", f"GraphFake does not model /{what}.")
        if request.method not in allowed:
            raise GraphError(
                405,
                "BadRequest",
                f"The HTTP method '{request.method}' is not allowed on this resource.",
            )
        if request.args:
            key = next(iter(request.args))
            raise GraphError(
                501, "NotImplemented", f"GraphFake does not model the query option '{key}' here."
            )
        if not rest and request.method == "POST":
            return self._create_subscription(request, raw, claims)
        if not rest:
            _check_any_permission(claims)
            with self._lock:
                self._purge_expired()
                mine = [s for s in self._subscriptions.values() if _owns(claims, s)]
                return self._json(
                    {
                        "@odata.context": f"{self.base_url}/$metadata#subscriptions",
                        "value": [self._subscription_json(s) for s in mine],
                    }
                )
        if request.method == "PATCH":
            return self._renew_subscription(request, raw, claims, rest[0])
        operation = {"GET": "Get", "DELETE": "Delete", "POST": "Reauthorize"}[request.method]
        _check_subscribe_permission(claims, operation)
        with self._lock:
            subscription = self._owned_subscription(claims, rest[0], operation)
            if request.method == "GET":
                return self._json(
                    {
                        "@odata.context": f"{self.base_url}/$metadata#subscriptions/$entity",
                        **self._subscription_json(subscription),
                    }
                )
            if request.method == "DELETE":
                del self._subscriptions[subscription.id]
                self._queue = [q for q in self._queue if q.subscription_id != subscription.id]
            else:
                subscription.needs_reauthorization = False
            return _empty(204)

    def _create_subscription(
        self, request: Request, raw: bytes, claims: dict[str, Any]
    ) -> Response:
        payload = self._payload(request, raw, empty_ok=False)
        assert payload is not None
        fields = _read_object(payload, SUBSCRIPTION, ci=False)
        for name in ("changeType", "notificationUrl", "resource", "expirationDateTime"):
            if not fields.get(name):
                raise GraphError(
                    400,
                    "InvalidRequest",
                    f"{name} is a required property for subscription creation.",
                )
        if fields.get("includeResourceData"):
            raise GraphError(
                501,
                "NotImplemented",
                "GraphFake does not model change notifications that include resource data.",
            )
        change_types = _change_types(fields["changeType"])
        client_state = fields.get("clientState")
        if client_state is not None and len(client_state) > 128:
            raise GraphError(
                400, "InvalidRequest", "The clientState must be at most 128 characters long."
            )
        tls = fields.get("latestSupportedTlsVersion") or "v1_2"
        if tls not in TLS_VERSIONS:
            raise GraphError(
                400,
                "InvalidRequest",
                f"The latestSupportedTlsVersion '{tls}' is not supported; use v1_2 or v1_3.",
            )
        _check_subscriber_url(fields["notificationUrl"], "NotificationUrl")
        lifecycle = fields.get("lifecycleNotificationUrl")
        if lifecycle is not None:
            _check_subscriber_url(lifecycle, "LifecycleNotificationUrl")
        expiration = self._check_expiration(fields["expirationDateTime"])
        match = _EVENTS_RESOURCE.match(fields["resource"].strip())
        if match is None:
            raise GraphError(
                501,
                "NotImplemented",
                "GraphFake models subscriptions on /users/{id}/events and /me/events only, not "
                f"'{fields['resource']}'.",
            )
        if match.group(1) is not None and "scp" not in claims:
            raise GraphError(
                400, "BadRequest", "/me request is only valid with delegated authentication flow."
            )
        _check_subscribe_permission(claims, "Create")
        with self._lock:
            mailbox = self._subscribed_mailbox(claims, match.group(2), "Create")
        self._validate_endpoint(fields["notificationUrl"], tls)
        if lifecycle is not None:
            self._validate_endpoint(lifecycle, tls)
        subscription = StoredSubscription(
            id=str(uuid.uuid4()),
            mailbox_id=mailbox.id,
            resource=fields["resource"],
            change_type=fields["changeType"],
            change_types=change_types,
            notification_url=fields["notificationUrl"],
            lifecycle_url=lifecycle,
            expiration=expiration,
            client_state=client_state,
            application_id=_app_id(claims),
            creator_id=str(claims.get("oid") or ""),
            tls=tls,
            immutable=_prefer_immutable(request),
        )
        with self._lock:
            self._subscriptions[subscription.id] = subscription
            body = self._subscription_json(subscription)
        return self._json(
            {"@odata.context": f"{self.base_url}/$metadata#subscriptions/$entity", **body}, 201
        )

    def _renew_subscription(
        self, request: Request, raw: bytes, claims: dict[str, Any], subscription_id: str
    ) -> Response:
        payload = self._payload(request, raw, empty_ok=False)
        assert payload is not None
        fields = _read_object(payload, SUBSCRIPTION, ci=False)
        others = sorted(set(fields) - {"expirationDateTime", "notificationUrl"})
        if others:
            raise GraphError(
                400,
                "InvalidRequest",
                f"Only expirationDateTime and notificationUrl can be updated, not {others[0]}.",
            )
        if not fields.get("expirationDateTime") and not fields.get("notificationUrl"):
            raise GraphError(
                400,
                "InvalidRequest",
                "Subscription must contain either the 'expirationDateTime' or 'notificationUrl' "
                "property and its value.",
            )
        url = fields.get("notificationUrl")
        if url:
            _check_subscriber_url(url, "NotificationUrl")
        expiration = (
            self._check_expiration(fields["expirationDateTime"])
            if fields.get("expirationDateTime")
            else None
        )
        _check_subscribe_permission(claims, "Update")
        with self._lock:
            subscription = self._owned_subscription(claims, subscription_id, "Update")
        if url:
            self._validate_endpoint(url, subscription.tls)
        with self._lock:
            subscription = self._owned_subscription(claims, subscription_id, "Update")
            if expiration is not None:
                subscription.expiration = expiration
            if url:
                subscription.notification_url = url
                for queued in self._queue:
                    if queued.subscription_id == subscription.id:
                        queued.url = url
            subscription.needs_reauthorization = False
            body = self._subscription_json(subscription)
        return self._json(
            {"@odata.context": f"{self.base_url}/$metadata#subscriptions/$entity", **body}
        )

    def _check_expiration(self, value: str) -> datetime:
        when = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
        now = self.now()
        if when <= now:
            raise GraphError(
                400, "ExtensionError", "Subscription expiration can only be in the future."
            )
        if when > now + timedelta(minutes=self.max_subscription_minutes):
            raise GraphError(
                400,
                "ExtensionError",
                f"Subscription expiration can only be {self.max_subscription_minutes} minutes "
                "in the future.",
            )
        return when

    def _subscribed_mailbox(
        self, claims: dict[str, Any], segment: str | None, operation: str
    ) -> Mailbox:
        """The mailbox a subscription is (to be) on, as the caller may reach it."""
        if segment is None:
            mailbox = next(
                (m for m in self._mailboxes.values() if m.oid == claims.get("oid")), None
            )
            shown = str(claims.get("oid"))
        else:
            segment = unquote(segment)
            mailbox = self._mailbox_by_id(segment) or self._mailbox_by_address(segment)
            shown = segment
        if mailbox is None:
            raise GraphError(
                404,
                "ExtensionError",
                f"Operation: {operation}; Exception: [Status Code: NotFound; Reason: The "
                f"requested user '{shown}' is invalid.]",
            )
        if "scp" in claims:
            if claims.get("oid") != mailbox.oid:
                raise _subscription_forbidden(operation, "Forbidden")
        elif self._app_policy is not None and mailbox.address.lower() not in self._app_policy:
            raise _subscription_forbidden(operation, RAOP_DENIED)
        return mailbox

    def _owned_subscription(
        self, claims: dict[str, Any], subscription_id: str, operation: str
    ) -> StoredSubscription:
        self._purge_expired()
        subscription = self._subscriptions.get(subscription_id)
        if subscription is None or not _owns(claims, subscription):
            raise GraphError(404, "ResourceNotFound", SUBSCRIPTION_NOT_FOUND)
        mailbox = self._mailboxes[subscription.mailbox_id]
        self._subscribed_mailbox(claims, mailbox.id, operation)
        return subscription

    def _live_subscription(self, subscription_id: str) -> StoredSubscription:
        self._purge_expired()
        subscription = self._subscriptions.get(subscription_id)
        if subscription is None:
            raise KeyError(subscription_id)
        return subscription

    def _purge_expired(self) -> None:
        now = self.now()
        for subscription in list(self._subscriptions.values()):
            if subscription.expiration <= now:
                del self._subscriptions[subscription.id]

    def _subscription_json(self, subscription: StoredSubscription) -> dict[str, Any]:
        return {
            "id": subscription.id,
            "resource": subscription.resource,
            "applicationId": subscription.application_id,
            "changeType": subscription.change_type,
            "clientState": subscription.client_state,
            "notificationUrl": subscription.notification_url,
            "notificationQueryOptions": None,
            "lifecycleNotificationUrl": subscription.lifecycle_url,
            "expirationDateTime": _stamp(subscription.expiration),
            "creatorId": subscription.creator_id,
            "includeResourceData": False,
            "latestSupportedTlsVersion": subscription.tls,
            "encryptionCertificate": None,
            "encryptionCertificateId": None,
            "notificationUrlAppId": None,
        }

    def _notify(
        self, mailbox: Mailbox, event: dict[str, Any], change: str, item_id: str | None = None
    ) -> None:
        """Queue one notification per live subscription on that mailbox asking for ``change``.

        ``item_id``: the REST id to name instead of the event's (an occurrence of that series
        master, whose changeKey the occurrences share).
        """
        now = self.now()
        rest = item_id or event["id"]
        for subscription in self._subscriptions.values():
            if subscription.mailbox_id != mailbox.id or change not in subscription.change_types:
                continue
            if subscription.expiration <= now:
                continue
            shown = self._immutable_of(mailbox, rest) if subscription.immutable else rest
            path = f"Users/{mailbox.oid}/Events/{shown}"
            item = {
                "subscriptionId": subscription.id,
                "subscriptionExpirationDateTime": _offset_stamp(subscription.expiration),
                "changeType": change,
                "resource": path,
                "resourceData": {
                    "@odata.type": "#Microsoft.Graph.Event",
                    "@odata.id": path,
                    "@odata.etag": f'W/"{event["changeKey"]}"',
                    "id": shown,
                },
                "clientState": subscription.client_state,
                "tenantId": self.entra.tenant_id,
            }
            self._queue.append(
                _Queued(subscription.id, subscription.notification_url, subscription.tls, item)
            )

    def _tls_context(self, tls: str) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.maximum_version = TLS_VERSIONS[tls]
        return context

    def _record_delivery(self, delivery: Delivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)

    def _validate_endpoint(self, url: str, tls: str) -> None:
        """Graph's validation handshake with a subscriber's endpoint (raises GraphError)."""
        token = (
            "Validation: Testing client application reachability for subscription Request-Id: "
            f"{uuid.uuid4()}"
        )
        target = (
            f"{url}{'&' if urlsplit(url).query else '?'}validationToken={quote(token, safe='')}"
        )
        started = time.perf_counter()
        status = 0
        answer: httpx.Response | None = None
        try:
            with httpx.Client(
                verify=self._tls_context(tls), timeout=self.validation_timeout
            ) as client:
                answer = client.post(
                    target, content=b"", headers={"Content-Type": "text/plain; charset=utf-8"}
                )
            status = answer.status_code
        except httpx.TimeoutException:
            raise GraphError(400, "InvalidRequest", VALIDATION_TIMED_OUT) from None
        except httpx.HTTPError:
            raise GraphError(400, "ValidationError", VALIDATION_FAILED) from None
        finally:
            self._record_delivery(
                Delivery("validation", target, None, status, time.perf_counter() - started)
            )
        if answer is None or status != 200:
            raise GraphError(400, "ValidationError", VALIDATION_FAILED)
        mimetype = answer.headers.get("content-type", "").split(";")[0].strip().lower()
        if mimetype != "text/plain":
            raise GraphError(400, "ValidationError", VALIDATION_CONTENT_TYPE)
        if answer.text != token:
            raise GraphError(400, "ValidationError", VALIDATION_MISMATCH)

    def _post_json(self, kind: str, url: str, body: Any, tls: str) -> int:
        """POST a notification body to a subscriber: its status (0 without an answer in time)."""
        started = time.perf_counter()
        try:
            with httpx.Client(
                verify=self._tls_context(tls), timeout=self.delivery_timeout
            ) as client:
                status = client.post(
                    url,
                    content=json.dumps(body).encode(),
                    headers={"Content-Type": "application/json; charset=utf-8"},
                ).status_code
        except httpx.HTTPError:
            status = 0
        self._record_delivery(Delivery(kind, url, body, status, time.perf_counter() - started))
        return status

    # -- chats ---------------------------------------------------------------------------------

    def _chat_request(
        self, request: Request, raw: bytes, claims: dict[str, Any], rest: list[str]
    ) -> Response:
        part = rest[1].lower() if len(rest) == 2 else ""
        if part not in ("messages", "installedapps", "tabs"):
            what = "/".join(["chats", *rest])
            raise GraphError(501, "NotImplemented", f"GraphFake does not model /{what}.")
        chat_id = rest[0]
        if request.method not in ("POST", "GET"):
            raise GraphError(
                405,
                "BadRequest",
                f"The HTTP method '{request.method}' is not allowed on this resource.",
            )
        if part == "installedapps":
            return self._chat_apps_request(request, raw, claims, chat_id)
        if part == "tabs":
            return self._chat_tabs_request(request, raw, claims, chat_id)
        fields: dict[str, Any] = {}
        top = 50
        if request.method == "POST":
            payload = self._payload(request, raw, empty_ok=False)
            assert payload is not None
            fields = _read_object(payload, CHAT_MESSAGE, ci=False)
        else:
            for key in request.args:
                if key.lower() != "$top":
                    raise GraphError(
                        501, "NotImplemented", f"GraphFake does not model the query option '{key}'."
                    )
            top = _query_int(request.args.get("$top"), "$top", 50)
            if top > 50:
                raise GraphError(
                    400, "BadRequest", "The value of the $top query option cannot exceed 50."
                )
        self._check_chat_permission(claims, request.method)
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                raise GraphError(404, "NotFound", f"Chat '{chat_id}' was not found.")
            if "scp" in claims and claims.get("oid") not in chat.members:
                raise GraphError(403, "Forbidden", "Forbidden")
            context = f"{self.base_url}/$metadata#chats('{quote(chat_id, safe='')}')/messages"
            if request.method == "GET":
                items = list(reversed(chat.messages))[:top]
                return self._json(
                    {
                        "@odata.context": context,
                        "@odata.count": len(items),
                        "value": copy.deepcopy(items),
                    }
                )
            message = self._new_chat_message(chat, claims, fields)
            chat.messages.append(message)
            return self._json({"@odata.context": f"{context}/$entity", **message}, 201)

    # -- Teams apps and tabs ---------------------------------------------------------------------

    def _catalog_request(
        self, request: Request, claims: dict[str, Any], rest: list[str]
    ) -> Response:
        if [r.lower() for r in rest] != ["teamsapps"]:
            what = "/".join(["appCatalogs", *rest])
            raise GraphError(501, "NotImplemented", f"GraphFake does not model /{what}.")
        if request.method != "GET":
            raise GraphError(
                501,
                "NotImplemented",
                f"GraphFake does not model {request.method} /{'/'.join(['appCatalogs', *rest])}.",
            )
        options = _query_options(request, ("$filter", "$select"))
        select = _names(options.get("$select"), _CATALOG_FIELDS, "teamsApp")
        clauses = _eq_clauses(options.get("$filter"), _CATALOG_FIELDS, "teamsApp")
        _teams_permission(claims, _CATALOG_ROLES, _CATALOG_SCOPES)
        with self._lock:
            apps = [self._app_json(app) for app in self._catalog.values()]
        apps = [a for a in apps if all(a[name] == value for name, value in clauses)]
        if select is not None:
            apps = [{name: a[name] for name in select} for a in apps]
        tail = f"({','.join(select)})" if select else ""
        return self._json(
            {
                "@odata.context": f"{self.base_url}/$metadata#appCatalogs/teamsApps{tail}",
                "value": apps,
            }
        )

    @staticmethod
    def _app_json(app: CatalogApp) -> dict[str, Any]:
        return {
            "id": app.id,
            "externalId": app.external_id,
            "displayName": app.display_name,
            "distributionMethod": "organization",
        }

    def _bound_app(self, value: str) -> str:
        """The catalog id in a ``teamsApp@odata.bind`` URL (this fake's base or Graph's)."""
        match = _APP_BIND.match(value.strip())
        if match is None or match.group(1).lower() not in (
            self.base_url.lower(),
            PUBLIC_GRAPH.lower(),
        ):
            raise GraphError(400, "BadRequest", f"Invalid odata.bind URL '{value}'.")
        return unquote(match.group(2))

    def _member_chat(self, chat_id: str, claims: dict[str, Any]) -> Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise GraphError(404, "NotFound", f"Chat '{chat_id}' was not found.")
        if "scp" in claims and claims.get("oid") not in chat.members:
            raise GraphError(403, "Forbidden", "Forbidden")
        return chat

    def _is_caller(self, catalog_id: str, claims: dict[str, Any]) -> bool:
        """Whether that catalog app is the calling Entra app (for "Self" permissions)."""
        app = self._catalog.get(catalog_id)
        client = claims.get("azp") or claims.get("appid")
        return app is not None and app.client_id is not None and app.client_id == client

    def _catalog_app(self, catalog_id: str) -> CatalogApp:
        app = self._catalog.get(catalog_id)
        if app is None:
            raise GraphError(
                404, "NotFound", f"The app '{catalog_id}' was not found in the app catalog."
            )
        return app

    def _chat_apps_request(
        self, request: Request, raw: bytes, claims: dict[str, Any], chat_id: str
    ) -> Response:
        if request.method == "POST":
            payload = self._payload(request, raw, empty_ok=False)
            assert payload is not None
            fields = _read_object(payload, TEAMS_APP_INSTALLATION, ci=False)
            bound = fields.get("teamsApp@odata.bind")
            if bound is None:
                raise GraphError(
                    400, "BadRequest", "The app to install must be given in teamsApp@odata.bind."
                )
            catalog_id = self._bound_app(bound)
            self_only = _teams_permission(claims, _INSTALL_ROLES, _INSTALL_SCOPES)
            with self._lock:
                chat = self._member_chat(chat_id, claims)
                self._catalog_app(catalog_id)
                if self_only and not self._is_caller(catalog_id, claims):
                    _refuse_other_app(claims, _INSTALL_ROLES, _INSTALL_SCOPES)
                if catalog_id in chat.apps:
                    raise GraphError(
                        409,
                        "Conflict",
                        f"The app '{catalog_id}' is already installed in chat '{chat_id}'.",
                    )
                chat.apps.append(catalog_id)
            return _empty(201)
        options = _query_options(request, ("$expand", "$filter"))
        expand = _expand_app(options.get("$expand"))
        clauses = _eq_clauses(options.get("$filter"), ("teamsApp/id",), "teamsAppInstallation")
        self_only = _teams_permission(claims, _LIST_APPS_ROLES, _LIST_APPS_SCOPES)
        with self._lock:
            chat = self._member_chat(chat_id, claims)
            value = []
            for catalog_id in chat.apps:
                if self_only and not self._is_caller(catalog_id, claims):
                    continue
                if any(catalog_id != wanted for _, wanted in clauses):
                    continue
                item: dict[str, Any] = {
                    "id": base64.b64encode(f"{chat_id}##{catalog_id}".encode()).decode()
                }
                if expand:
                    item["teamsApp"] = self._app_json(self._catalog[catalog_id])
                value.append(item)
        tail = "(teamsApp())" if expand else ""
        context = f"{self.base_url}/$metadata#chats('{quote(chat_id, safe='')}')/installedApps"
        return self._json(
            {"@odata.context": f"{context}{tail}", "@odata.count": len(value), "value": value}
        )

    def _chat_tabs_request(
        self, request: Request, raw: bytes, claims: dict[str, Any], chat_id: str
    ) -> Response:
        context = f"{self.base_url}/$metadata#chats('{quote(chat_id, safe='')}')/tabs"
        if request.method == "POST":
            payload = self._payload(request, raw, empty_ok=False)
            assert payload is not None
            fields = _read_object(payload, TEAMS_TAB, ci=False)
            bound = fields.get("teamsApp@odata.bind")
            if bound is None:
                raise GraphError(
                    400, "BadRequest", "The tab's app must be given in teamsApp@odata.bind."
                )
            catalog_id = self._bound_app(bound)
            if not (fields.get("displayName") or "").strip():
                raise GraphError(400, "BadRequest", "The tab needs a displayName.")
            configuration = fields.get("configuration") or {}
            for name in ("contentUrl", "websiteUrl", "removeUrl"):
                url = configuration.get(name)
                if (url is not None or name == "contentUrl") and not _is_https(url):
                    raise GraphError(
                        400, "BadRequest", f"The tab's configuration.{name} must be an https URL."
                    )
            self_only = _teams_permission(claims, _ADD_TAB_ROLES, _ADD_TAB_SCOPES)
            with self._lock:
                chat = self._member_chat(chat_id, claims)
                self._catalog_app(catalog_id)
                if self_only and not self._is_caller(catalog_id, claims):
                    _refuse_other_app(claims, _ADD_TAB_ROLES, _ADD_TAB_SCOPES)
                if catalog_id not in chat.apps:
                    raise GraphError(
                        400,
                        "BadRequest",
                        f"App id {catalog_id} needs to be installed to the chat {chat_id} and "
                        "be in an unblocked state to install/update a tab",
                    )
                tab_context = quote(
                    json.dumps({"context": "chat", "chatId": chat_id, "subEntityId": None}),
                    safe="",
                )
                tab = {
                    "id": str(uuid.uuid4()),
                    "displayName": fields["displayName"],
                    "webUrl": f"https://teams.microsoft.com/l/entity/{catalog_id}/"
                    f"_djb2_msteams_prefix_{secrets.randbelow(10**10)}?context={tab_context}"
                    f"&tenantId={self.entra.tenant_id}",
                    "configuration": {
                        name: configuration.get(name)
                        for name in ("entityId", "contentUrl", "websiteUrl", "removeUrl")
                    },
                }
                chat.tabs.append((catalog_id, tab))
                answer = self._tab_json(catalog_id, tab, expand=False)
            return self._json({"@odata.context": f"{context}/$entity", **answer}, 201)
        options = _query_options(request, ("$expand", "$filter", "$select"))
        expand = _expand_app(options.get("$expand"))
        select = _names(
            options.get("$select"), ("id", "displayName", "webUrl", "configuration"), "teamsTab"
        )
        clauses = _eq_clauses(options.get("$filter"), ("teamsApp/id",), "teamsTab")
        self_only = _teams_permission(claims, _LIST_TABS_ROLES, _LIST_TABS_SCOPES)
        with self._lock:
            chat = self._member_chat(chat_id, claims)
            value = []
            for catalog_id, tab in chat.tabs:
                if self_only and not self._is_caller(catalog_id, claims):
                    continue
                if any(catalog_id != wanted for _, wanted in clauses):
                    continue
                item = self._tab_json(catalog_id, tab, expand=expand)
                if select is not None:
                    item = {k: v for k, v in item.items() if k in select or k == "teamsApp"}
                value.append(item)
        shape = [*(select or []), *(["teamsApp()"] if expand else [])]
        tail = f"({','.join(shape)})" if shape else ""
        return self._json(
            {
                "@odata.context": context + tail,
                "@odata.count": len(value),
                "value": value,
            }
        )

    def _tab_json(self, catalog_id: str, tab: dict[str, Any], *, expand: bool) -> dict[str, Any]:
        out = copy.deepcopy(tab)
        if expand:
            out["teamsApp"] = self._app_json(self._catalog[catalog_id])
        return out

    @staticmethod
    def _check_chat_permission(claims: dict[str, Any], method: str) -> None:
        roles = claims.get("roles") or []
        if "scp" not in claims:
            if not roles:
                raise GraphError(
                    401,
                    "NoPermissionsInAccessToken",
                    "The token contains no permissions, or permissions can not be understood.",
                )
            if method == "POST":
                raise GraphError(403, "Forbidden", APP_ONLY_CHAT_POST)
            if not set(roles) & set(_CHAT_READ_ROLES):
                raise GraphError(
                    403,
                    "Forbidden",
                    "Missing role permissions on the request. API requires one of "
                    f"'{', '.join(_CHAT_READ_ROLES)}'. Roles on the request "
                    f"'{', '.join(roles)}'.",
                )
            return
        granted = str(claims["scp"]).split()
        needed = _CHAT_SEND_SCOPES if method == "POST" else _CHAT_READ_SCOPES
        if not set(granted) & set(needed):
            raise GraphError(
                403,
                "Forbidden",
                f"Missing scope permissions on the request. API requires one of "
                f"'{', '.join(needed)}'. Scopes on the request '{', '.join(granted)}'.",
            )

    def _new_chat_message(
        self, chat: Chat, claims: dict[str, Any], fields: dict[str, Any]
    ) -> dict[str, Any]:
        body = fields.get("body") or {}
        content = body.get("content") or ""
        content_type = body.get("contentType") or "text"
        attachments = fields.get("attachments") or []
        if not content.strip() and not attachments:
            raise GraphError(400, "BadRequest", "Missing body content.")
        ids = [a.get("id") for a in attachments]
        if any(not i for i in ids):
            raise GraphError(400, "BadRequest", "Every attachment needs an id.")
        if len(set(ids)) != len(ids):
            raise GraphError(400, "BadRequest", "Attachment ids must be unique.")
        referenced = [m.group(1) or m.group(2) or "" for m in _ATTACHMENT_TAG.finditer(content)]
        if attachments and content_type != "html":
            raise GraphError(
                400,
                "BadRequest",
                "A message with attachments needs an html body referencing them with "
                '<attachment id="…"></attachment>.',
            )
        for ref in referenced:
            if ref not in ids:
                raise GraphError(
                    400,
                    "BadRequest",
                    f"The message body references attachment '{ref}', which is not in the "
                    "attachments of the message.",
                )
        for attachment_id in ids:
            if referenced.count(attachment_id) != 1:
                raise GraphError(
                    400,
                    "BadRequest",
                    f"Attachment '{attachment_id}' must be referenced exactly once in the "
                    "message body.",
                )
        stored = []
        for attachment in attachments:
            kind = attachment.get("contentType") or ""
            if kind != ADAPTIVE_CARD:
                raise GraphError(
                    501,
                    "NotImplemented",
                    f"GraphFake does not model attachments of type '{kind}'.",
                )
            _check_adaptive_card(attachment.get("id") or "", attachment.get("content"))
            stored.append(
                {
                    "id": attachment["id"],
                    "contentType": kind,
                    "contentUrl": attachment.get("contentUrl"),
                    "content": attachment["content"],
                    "name": attachment.get("name"),
                    "thumbnailUrl": attachment.get("thumbnailUrl"),
                    "teamsAppId": attachment.get("teamsAppId"),
                }
            )
        now = datetime.now(UTC)
        self._last_message_id = max(self._last_message_id + 1, int(now.timestamp() * 1000))
        message_id = str(self._last_message_id)
        created = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        return {
            "id": message_id,
            "replyToId": None,
            "etag": message_id,
            "messageType": "message",
            "createdDateTime": created,
            "lastModifiedDateTime": created,
            "lastEditedDateTime": None,
            "deletedDateTime": None,
            "subject": fields.get("subject"),
            "summary": None,
            "chatId": chat.id,
            "importance": fields.get("importance") or "normal",
            "locale": "en-us",
            "webUrl": None,
            "channelIdentity": None,
            "policyViolation": None,
            "eventDetail": None,
            "from": {
                "application": None,
                "device": None,
                "user": {
                    "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                    "id": claims.get("oid"),
                    "displayName": claims.get("name"),
                    "userIdentityType": "aadUser",
                    "tenantId": claims.get("tid"),
                },
            },
            "body": {"contentType": content_type, "content": content},
            "attachments": stored,
            "mentions": [],
            "reactions": [],
        }

    # -- events --------------------------------------------------------------------------------

    @staticmethod
    def _new_item_id(mailbox: Mailbox) -> str:
        """A REST id for a new item of that mailbox, with its own immutable id."""
        event_id = _new_event_id()
        mailbox.immutable_ids[event_id] = _new_immutable_id()
        return event_id

    @staticmethod
    def _find_event(mailbox: Mailbox, event_id: str | None) -> dict[str, Any] | None:
        """An item of that mailbox by its REST id or its immutable id."""
        if not event_id:
            return None
        event = mailbox.events.get(event_id)
        if event is not None:
            return event
        for rest, immutable in mailbox.immutable_ids.items():
            if immutable == event_id:
                return mailbox.events.get(rest)
        return None

    def _new_event(self, mailbox: Mailbox, fields: dict[str, Any]) -> dict[str, Any]:
        now = _stamp(self.now())
        event_id, change_key = self._new_item_id(mailbox), _new_change_key()
        ical = "040000008200E00074C5B7101A82E00800000000" + secrets.token_hex(36).upper()
        event: dict[str, Any] = {
            "@odata.etag": f'W/"{change_key}"',
            "id": event_id,
            "createdDateTime": now,
            "lastModifiedDateTime": now,
            "changeKey": change_key,
            "categories": [],
            "originalStartTimeZone": "UTC",
            "originalEndTimeZone": "UTC",
            "iCalUId": ical,
            "uid": ical,
            "reminderMinutesBeforeStart": 15,
            "isReminderOn": True,
            "hasAttachments": False,
            "subject": "",
            "bodyPreview": "",
            "importance": "normal",
            "sensitivity": "normal",
            "isAllDay": False,
            "isCancelled": False,
            "isOrganizer": True,
            "responseRequested": True,
            "seriesMasterId": None,
            "showAs": "busy",
            "type": "singleInstance",
            "webLink": _web_link(event_id),
            "onlineMeetingUrl": None,
            "isOnlineMeeting": False,
            "onlineMeetingProvider": "unknown",
            "allowNewTimeProposals": True,
            "occurrenceId": None,
            "isDraft": False,
            "hideAttendees": False,
            "responseStatus": {"response": "organizer", "time": ZERO_TIME},
            "body": {"contentType": "text", "content": ""},
            "start": None,
            "end": None,
            "location": _location(None),
            "locations": [],
            "recurrence": None,
            "attendees": [],
            "organizer": {
                "emailAddress": {"name": mailbox.display_name, "address": mailbox.address}
            },
            "onlineMeeting": None,
        }
        self._apply(event, fields)
        return event

    def _apply(self, event: dict[str, Any], fields: dict[str, Any]) -> None:
        """Apply validated event properties (start/end already checked) to a stored event."""
        was_online = event["isOnlineMeeting"]
        for name, value in fields.items():
            if name == "subject":
                event["subject"] = value or ""
            elif name == "body":
                body = value or {}
                event["body"] = {
                    "contentType": body.get("contentType") or "text",
                    "content": body.get("content") or "",
                }
                text = re.sub(r"<[^>]*>", " ", event["body"]["content"])
                event["bodyPreview"] = " ".join(text.split())[:255]
            elif name in ("start", "end"):
                local = _parse_local(value["dateTime"])
                assert local is not None
                event[name] = {"dateTime": graph_datetime(local), "timeZone": value["timeZone"]}
                key = "originalStartTimeZone" if name == "start" else "originalEndTimeZone"
                event[key] = value["timeZone"]
            elif name == "attendees":
                event["attendees"] = [self._attendee(a) for a in value]
            elif name == "location":
                event["location"] = _location(value)
                event["locations"] = [event["location"]] if value else []
            elif name == "categories":
                event["categories"] = list(value)
            elif name == "transactionId":
                if value is not None:
                    event["transactionId"] = value
            elif name == "recurrence":
                if value is not None:
                    event["recurrence"] = copy.deepcopy(value)
                    event["type"] = "seriesMaster"
            elif value is not None:
                event[name] = value
        if event["isOnlineMeeting"]:
            if event["onlineMeetingProvider"] == "unknown":
                event["onlineMeetingProvider"] = "teamsForBusiness"
            if event["onlineMeeting"] is None and not was_online:
                thread = secrets.token_urlsafe(40)
                context = quote(json.dumps({"Tid": self.entra.tenant_id}), safe="")
                event["onlineMeeting"] = {
                    "joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
                    f"{thread}%40thread.v2/0?context={context}"
                }
        else:
            event["onlineMeeting"] = None
            event["onlineMeetingProvider"] = "unknown"

    def _attendee(self, value: dict[str, Any]) -> dict[str, Any]:
        email = value.get("emailAddress") or {}
        address = email.get("address") or ""
        mailbox = self._mailbox_by_address(address) if address else None
        name = email.get("name") or (mailbox.display_name if mailbox else address)
        return {
            "type": value.get("type") or "required",
            "status": {"response": "none", "time": ZERO_TIME},
            "emailAddress": {"name": name, "address": address},
        }

    def _touch(self, event: dict[str, Any]) -> None:
        change_key = _new_change_key()
        event["changeKey"] = change_key
        event["@odata.etag"] = f'W/"{change_key}"'
        event["lastModifiedDateTime"] = _stamp(self.now())

    @staticmethod
    def _check_times(fields: dict[str, Any], current: dict[str, Any] | None) -> None:
        for name in ("start", "end"):
            if name in fields:
                _check_dttz(fields[name], f"event's {name} time")
            elif current is None or current.get(name) is None:
                raise GraphError(
                    400,
                    "ErrorInvalidRequest",
                    "Your request can't be completed. The event's start and end time must be "
                    "specified.",
                )
        if "start" in fields:
            start = _check_dttz(fields["start"], "start")
        else:
            assert current is not None
            start = _utc_of(current["start"])
        if "end" in fields:
            end = _check_dttz(fields["end"], "end")
        else:
            assert current is not None
            end = _utc_of(current["end"])
        if end < start:
            raise GraphError(
                400, "ErrorInvalidRequest", "The end time must be after the start time."
            )

    def _render(
        self,
        mailbox: Mailbox,
        event: dict[str, Any],
        zone_name: str | None,
        *,
        context: str | None = None,
        immutable: bool = False,
    ) -> dict[str, Any]:
        out = copy.deepcopy(event)
        if immutable:
            out["id"] = self._immutable_of(mailbox, event["id"])
            if out.get("seriesMasterId"):
                out["seriesMasterId"] = self._immutable_of(mailbox, out["seriesMasterId"])
        if zone_name is not None:
            for name in ("start", "end"):
                out[name] = _in_zone(_utc_of(event[name]), zone_name)
        if context is not None:
            out = {"@odata.context": context, **out}
        return out

    def _entity_context(self, segment: str) -> str:
        return f"{self.base_url}/$metadata#users('{quote(segment, safe='@')}')/events/$entity"

    def _create_event(
        self,
        mailbox: Mailbox,
        segment: str,
        fields: dict[str, Any],
        prefer: str | None,
        immutable: bool = False,
    ) -> Response:
        properties = self._read_properties(mailbox, fields.pop(_SVEP, None))
        context = self._entity_context(segment)
        transaction = fields.get("transactionId")
        if transaction is not None:
            existing = mailbox.events.get(mailbox.transactions.get(transaction, ""))
            if existing is not None:
                return self._json(
                    self._render(mailbox, existing, prefer, context=context, immutable=immutable),
                    201,
                )
        self._check_times(fields, None)
        if fields.get("recurrence") is not None:
            fields["recurrence"] = self._check_recurrence(fields["recurrence"], fields["start"])
        event = self._new_event(mailbox, fields)
        mailbox.events[event["id"]] = event
        self._settle_series(mailbox, event, None)
        self._store_properties(mailbox, event["id"], properties)
        if transaction is not None:
            mailbox.transactions[transaction] = event["id"]
        self._notify(mailbox, event, "created")
        self._sync_copies(mailbox, event, set())
        self._meeting_chat(mailbox, event)
        return self._json(
            self._render(mailbox, event, prefer, context=context, immutable=immutable), 201
        )

    def _event(
        self,
        method: str,
        mailbox: Mailbox,
        segment: str,
        event_id: str | None,
        fields: dict[str, Any],
        prefer: str | None,
        *,
        immutable: bool = False,
        select: list[str] | None = None,
        expand: list[tuple[tuple[Any, ...], str]] | None = None,
    ) -> Response:
        found = self._find_item(mailbox, event_id)
        if found is None:
            raise GraphError(404, "ErrorItemNotFound", NOT_IN_STORE)
        event, original = found
        context = self._entity_context(segment)
        if original is not None:
            return self._occurrence(
                method,
                mailbox,
                segment,
                event,
                original,
                fields,
                prefer,
                immutable=immutable,
                select=select,
                expand=expand,
            )
        if method == "GET":
            return self._read_item(mailbox, segment, event, prefer, immutable, select, expand)
        if method == "DELETE":
            self._remove_event(mailbox, event)
            return _empty(204)
        properties = self._read_properties(mailbox, fields.pop(_SVEP, None))
        if "transactionId" in fields and fields["transactionId"] != event.get("transactionId"):
            raise GraphError(
                400, "ErrorInvalidRequest", "The transactionId of an event can't be changed."
            )
        self._check_times(fields, event)
        if "recurrence" in fields:
            if fields["recurrence"] is None:
                if event["type"] == "seriesMaster":
                    raise GraphError(
                        501,
                        "NotImplemented",
                        "GraphFake does not model removing the recurrence of a series.",
                    )
                del fields["recurrence"]
            else:
                start = fields.get("start") or event["start"]
                fields["recurrence"] = self._check_recurrence(fields["recurrence"], start)
        elif event["type"] == "seriesMaster" and "start" in fields:
            # The whole series moves: its pattern starts on the new start's date.
            moved = copy.deepcopy(event["recurrence"])
            local = _parse_local(fields["start"]["dateTime"])
            assert local is not None
            moved["range"]["startDate"] = local.date().isoformat()
            fields["recurrence"] = self._check_recurrence(moved, fields["start"])
        before = copy.deepcopy(event)
        old = _attendee_addresses(event)
        # The body trap (microsoft-graph-docs#16336, msgraph-sdk-dotnet#1402): rewriting the
        # body of an online meeting drops its Teams join information.
        drops_join = "body" in fields and event["isOnlineMeeting"]
        self._apply(event, fields)
        if drops_join and event["isOnlineMeeting"]:
            event["onlineMeeting"] = None
            event["onlineMeetingUrl"] = None
        self._settle_series(mailbox, event, before)
        self._store_properties(mailbox, event["id"], properties)
        self._touch(event)
        self._notify(mailbox, event, "updated")
        if event["isOrganizer"] and fields:
            self._sync_copies(mailbox, event, old)
            self._meeting_chat(mailbox, event)
        return self._json(
            self._render(mailbox, event, prefer, context=context, immutable=immutable)
        )

    def _read_item(
        self,
        mailbox: Mailbox,
        segment: str,
        item: dict[str, Any],
        prefer: str | None,
        immutable: bool,
        select: list[str] | None,
        expand: list[tuple[tuple[Any, ...], str]] | None,
    ) -> Response:
        """``GET …/events/{id}`` of a stored event or of an occurrence (``item``)."""
        context = self._entity_context(segment)
        data = self._render(mailbox, item, prefer or "UTC", context=context, immutable=immutable)
        if select is not None:
            data = _selected(data, select, keep_context=True)
        if expand is not None:
            data[f"{_SVEP}@odata.context"] = (
                f"{self.base_url}/$metadata#users('{quote(segment, safe='@')}')/events"
                f"('{quote(data['id'], safe='')}')/{_SVEP}"
            )
            data[_SVEP] = self._matching_properties(mailbox, item["id"], expand)
        return self._json(data)

    # -- recurring series ----------------------------------------------------------------------

    @staticmethod
    def _check_recurrence(value: dict[str, Any], start: dict[str, Any]) -> dict[str, Any]:
        """Validate a read ``patternedRecurrence``; the normalised form Graph echoes."""
        invalid = GraphError(
            400, "ErrorPropertyValidationFailure", "At least one property failed validation."
        )
        keys = list(value)
        if "pattern" in keys and "range" in keys and keys.index("range") < keys.index("pattern"):
            # Reported in microsoft-graph-docs#11359: "range" before "pattern" is not read.
            raise GraphError(400, "UnableToDeserializePostBody", "were unable to deserialize ")
        pattern, span = value.get("pattern"), value.get("range")
        if not pattern or not span or pattern.get("type") is None:
            raise invalid
        kind = pattern["type"]
        if kind not in ("daily", "weekly"):
            raise GraphError(
                501,
                "NotImplemented",
                f"GraphFake models daily and weekly recurrence patterns only, not '{kind}'.",
            )
        interval = pattern.get("interval")
        if not interval:
            # A pattern without interval is answered 500 (SO 60228248, microsoft-graph-docs#7119).
            raise GraphError(
                500,
                "ErrorInternalServerError",
                "An internal server error occurred. The operation failed.",
            )
        days = list(dict.fromkeys(pattern.get("daysOfWeek") or []))
        if interval < 0 or (kind == "weekly" and not days):
            raise invalid
        span_kind, first = span.get("type"), span.get("startDate")
        if span_kind is None or first is None:
            raise invalid
        last, count = span.get("endDate"), span.get("numberOfOccurrences")
        if span_kind == "endDate" and (last is None or last < first):
            raise invalid
        if span_kind == "numbered" and (count is None or count < 1):
            raise invalid
        zone_name = span.get("recurrenceTimeZone")
        if zone_name is not None and zone(zone_name) is None:
            raise GraphError(
                400,
                "TimeZoneNotSupportedException",
                "A valid TimeZone value must be specified. The following TimeZone value is not "
                f"supported: '{zone_name}'.",
            )
        normal = {
            "pattern": {
                "type": kind,
                "interval": interval,
                "month": pattern.get("month") or 0,
                "dayOfMonth": pattern.get("dayOfMonth") or 0,
                "daysOfWeek": days if kind == "weekly" else [],
                "firstDayOfWeek": pattern.get("firstDayOfWeek") or "sunday",
                "index": pattern.get("index") or "first",
            },
            "range": {
                "type": span_kind,
                "startDate": first,
                "endDate": last if span_kind == "endDate" else "0001-01-01",
                "recurrenceTimeZone": zone_name or start["timeZone"],
                "numberOfOccurrences": count if span_kind == "numbered" else 0,
            },
        }
        if _first_date(normal) is None:
            raise invalid  # a range without any occurrence
        return normal

    def _settle_series(
        self, mailbox: Mailbox, event: dict[str, Any], before: dict[str, Any] | None
    ) -> None:
        """After a write of a (now) series master: start on its first occurrence; a change of
        its time or pattern drops its exceptions and removed occurrences (Outlook: "Any
        exceptions associated with this recurring appointment will be cancelled"); a change of
        its range's end keeps those still in the series."""
        if event["type"] != "seriesMaster":
            return
        series = mailbox.series.setdefault(event["id"], _Series())
        self._snap_to_first(event)
        if before is None or before["type"] != "seriesMaster":
            return
        old, new = before["recurrence"], event["recurrence"]
        moved = (before["start"], before["end"]) != (event["start"], event["end"])
        reshaped = old["pattern"] != new["pattern"] or any(
            old["range"][key] != new["range"][key] for key in ("startDate", "recurrenceTimeZone")
        )
        if moved or reshaped:
            series.exceptions.clear()
            series.removed.clear()
            return
        for original in [*series.exceptions, *series.removed]:
            if original not in self._originals(event, original, original):
                series.exceptions.pop(original, None)
                series.removed.pop(original, None)

    @staticmethod
    def _snap_to_first(event: dict[str, Any]) -> None:
        """A master's start is its first occurrence (Exchange moves it there)."""
        first = _first_date(event["recurrence"])
        local = _parse_local(event["start"]["dateTime"])
        assert first is not None and local is not None
        if local.date() == first:
            return
        tz = zone(event["start"]["timeZone"])
        duration = _utc_of(event["end"]) - _utc_of(event["start"])
        start = datetime.combine(first, local.time(), tz)
        event["start"] = {"dateTime": graph_datetime(start), "timeZone": event["start"]["timeZone"]}
        event["end"] = _in_zone(start.astimezone(UTC) + duration, event["end"]["timeZone"])

    @staticmethod
    def _originals(master: dict[str, Any], lo: datetime, hi: datetime) -> list[datetime]:
        """Original starts (UTC) of the series' occurrences on the local days of [lo, hi]."""
        tz = zone(master["start"]["timeZone"])
        local = _parse_local(master["start"]["dateTime"])
        assert tz is not None and local is not None
        days = _pattern_dates(
            master["recurrence"], lo.astimezone(tz).date(), hi.astimezone(tz).date()
        )
        return [datetime.combine(day, local.time(), tz).astimezone(UTC) for day in days]

    def _instance(self, mailbox: Mailbox, master: dict[str, Any], original: datetime) -> dict:
        """An occurrence (or exception) of a stored series master, in storage form."""
        series = mailbox.series.get(master["id"]) or _Series()
        start_zone = master["start"]["timeZone"]
        tz = zone(start_zone)
        assert tz is not None
        duration = _utc_of(master["end"]) - _utc_of(master["start"])
        rest_id = _occurrence_id(master["id"], original)
        item = copy.deepcopy(master)
        item.pop("transactionId", None)
        item.update(
            {
                "id": rest_id,
                "iCalUId": _occurrence_ical_uid(master["iCalUId"], original.astimezone(tz).date()),
                "seriesMasterId": master["id"],
                "type": "occurrence",
                "webLink": _web_link(rest_id),
                "start": _in_zone(original, start_zone),
                "end": _in_zone(original + duration, master["end"]["timeZone"]),
                "recurrence": None,
                "originalStart": _original_stamp(original),
            }
        )
        overrides = series.exceptions.get(original)
        if overrides is not None:
            item.update(copy.deepcopy(overrides))
            item["type"] = "exception"
        if master["isCancelled"]:
            item["isCancelled"] = True
            if not item["subject"].startswith("Canceled: "):
                item["subject"] = "Canceled: " + item["subject"]
        return item

    def _instances(
        self, mailbox: Mailbox, master: dict[str, Any], lo: datetime, hi: datetime
    ) -> list[dict[str, Any]]:
        """The series' occurrences and exceptions overlapping [lo, hi), in storage form."""
        series = mailbox.series.get(master["id"]) or _Series()
        # Plain occurrences near the window by their original start; exceptions (which may
        # have moved or grown) are all looked at.
        margin = timedelta(days=1) + _utc_of(master["end"]) - _utc_of(master["start"])
        originals = set(self._originals(master, lo - margin, hi + margin)) | set(series.exceptions)
        found = []
        for original in sorted(originals):
            if original in series.removed:
                continue
            item = self._instance(mailbox, master, original)
            if _overlaps(_utc_of(item["start"]), _utc_of(item["end"]), lo, hi):
                found.append(item)
        return found

    def _occurs(self, mailbox: Mailbox, master: dict[str, Any], original: datetime) -> bool:
        """Whether the series has that occurrence (in its pattern, not cancelled or deleted)."""
        series = mailbox.series.get(master["id"]) or _Series()
        return original not in series.removed and original in self._originals(
            master, original, original
        )

    def _find_item(
        self, mailbox: Mailbox, item_id: str | None
    ) -> tuple[dict[str, Any], datetime | None] | None:
        """A stored event (None as original start), or the master and original start (UTC) of
        an occurrence id (REST or immutable) that the series still has."""
        event = self._find_event(mailbox, item_id)
        if event is not None:
            return event, None
        parsed = _parse_occurrence_id(item_id)
        if parsed is None:
            return None
        master = self._find_event(mailbox, parsed[0])
        if master is None or master["type"] != "seriesMaster":
            return None
        if not self._occurs(mailbox, master, parsed[1]):
            return None
        return master, parsed[1]

    @staticmethod
    def _immutable_of(mailbox: Mailbox, rest_id: str) -> str:
        """The immutable id of a stored item or of an occurrence (REST id given)."""
        found = mailbox.immutable_ids.get(rest_id)
        if found is not None:
            return found
        parsed = _parse_occurrence_id(rest_id)
        assert parsed is not None, rest_id
        return _occurrence_id(mailbox.immutable_ids[parsed[0]], parsed[1])

    def _check_crossing(
        self, mailbox: Mailbox, master: dict[str, Any], original: datetime, start: datetime
    ) -> None:
        """Outlook's rule for exceptions (event-update): not to or before the day of the
        previous occurrence, nor to or after the day of the next one (the nearest ones still
        there, within four periods, at their current day; the first and last are free on
        their open side)."""
        series = mailbox.series.get(master["id"]) or _Series()
        tz = zone(master["start"]["timeZone"])
        assert tz is not None
        reach = timedelta(days=4 * _period_days(master["recurrence"]))
        near = [
            o
            for o in self._originals(master, original - reach, original + reach)
            if o != original and o not in series.removed
        ]

        def day(value: datetime) -> date:
            return value.astimezone(tz).date()

        def current(other: datetime) -> date:
            return day(_utc_of(self._instance(mailbox, master, other)["start"]))

        earlier = [o for o in near if o < original]
        later = [o for o in near if o > original]
        after_previous = not earlier or current(earlier[-1]) < day(start)
        before_next = not later or day(start) < current(later[0])
        if not (after_previous and before_next):
            raise GraphError(
                400,
                "ErrorOccurrenceCrossingBoundary",
                "Modified occurrence is crossing or overlapping adjacent occurrence.",
            )

    def _occurrence(
        self,
        method: str,
        mailbox: Mailbox,
        segment: str,
        master: dict[str, Any],
        original: datetime,
        fields: dict[str, Any],
        prefer: str | None,
        *,
        immutable: bool,
        select: list[str] | None,
        expand: list[tuple[tuple[Any, ...], str]] | None,
    ) -> Response:
        """GET, PATCH or DELETE of one occurrence of a series."""
        instance = self._instance(mailbox, master, original)
        if method == "GET":
            return self._read_item(mailbox, segment, instance, prefer, immutable, select, expand)
        if method == "DELETE":
            self._remove_occurrence(mailbox, master, original)
            return _empty(204)
        properties = self._read_properties(mailbox, fields.pop(_SVEP, None))
        if "recurrence" in fields:
            raise GraphError(
                400,
                "ErrorInvalidRequest",
                "The recurrence of an occurrence can't be changed; change its series master.",
            )
        if "transactionId" in fields:
            raise GraphError(
                400, "ErrorInvalidRequest", "The transactionId of an event can't be changed."
            )
        self._check_times(fields, instance)
        if "start" in fields:
            self._check_crossing(mailbox, master, original, _utc_of(fields["start"]))
        old = _attendee_addresses(master)
        after = copy.deepcopy(instance)
        self._apply(after, fields)
        if "body" in fields and instance["isOnlineMeeting"] and after["isOnlineMeeting"]:
            after["onlineMeeting"] = None  # the body trap, as for single events
            after["onlineMeetingUrl"] = None
        overrides = mailbox.series.setdefault(master["id"], _Series()).exceptions.setdefault(
            original, {}
        )
        for key, value in after.items():
            if key not in _INSTANCE_OWN and (key in fields or value != instance.get(key)):
                overrides[key] = copy.deepcopy(value)
        self._store_properties(mailbox, instance["id"], properties)
        self._touch(master)
        self._notify_occurrence(mailbox, master, original, "updated")
        if master["isOrganizer"] and fields:
            self._sync_copies(mailbox, master, old, occurrence=original)
        context = self._entity_context(segment)
        return self._json(
            self._render(
                mailbox,
                self._instance(mailbox, master, original),
                prefer,
                context=context,
                immutable=immutable,
            )
        )

    def _remove_occurrence(
        self, mailbox: Mailbox, master: dict[str, Any], original: datetime
    ) -> None:
        """Cancel (organiser) or delete one occurrence: gone from the series; the attendees'
        copies show it cancelled."""
        series = mailbox.series.setdefault(master["id"], _Series())
        series.removed[original] = series.exceptions.pop(original, {})
        self._touch(master)
        self._notify_occurrence(mailbox, master, original, "deleted")
        if master["isOrganizer"]:
            self._sync_copies(mailbox, master, _attendee_addresses(master), occurrence=original)

    def _notify_occurrence(
        self, mailbox: Mailbox, master: dict[str, Any], original: datetime, change: str
    ) -> None:
        """A change to one occurrence: by default an ``updated`` for its series master (what
        Graph is reported to send); with ``occurrence_notifications = "occurrence"`` the
        occurrence's own id with ``change``."""
        if self.occurrence_notifications == "occurrence":
            self._notify(mailbox, master, change, item_id=_occurrence_id(master["id"], original))
        else:
            self._notify(mailbox, master, "updated")

    def _copy_series(
        self,
        organizer: Mailbox,
        master: dict[str, Any],
        mailbox: Mailbox,
        copied: dict[str, Any],
    ) -> None:
        """An attendee's series copy takes the organiser's exceptions; occurrences the
        organiser removed show cancelled in it."""
        if master["type"] != "seriesMaster":
            return
        source = organizer.series.get(master["id"]) or _Series()
        target = mailbox.series.setdefault(copied["id"], _Series())
        target.exceptions = copy.deepcopy(source.exceptions)
        for original, changed in source.removed.items():
            subject = changed.get("subject", master["subject"])
            if not subject.startswith("Canceled: "):
                subject = "Canceled: " + subject
            target.exceptions[original] = {**copy.deepcopy(changed), "isCancelled": True}
            target.exceptions[original]["subject"] = subject

    def _timeline(self, mailbox: Mailbox, lo: datetime, hi: datetime) -> list[dict[str, Any]]:
        """Single events and occurrences of series overlapping [lo, hi) (no masters)."""
        items: list[dict[str, Any]] = []
        for event in list(mailbox.events.values()):
            if event["type"] == "seriesMaster":
                items.extend(self._instances(mailbox, event, lo, hi))
            elif _overlaps(_utc_of(event["start"]), _utc_of(event["end"]), lo, hi):
                items.append(event)
        return items

    # -- single-value extended properties ------------------------------------------------------

    @staticmethod
    def _read_properties(
        mailbox: Mailbox, items: list[dict[str, Any]] | None
    ) -> list[tuple[tuple[Any, ...], str, str, str]]:
        """Validate ``singleValueExtendedProperties`` of a body: (key, type, id, value) each."""
        out = []
        for item in items or []:
            given = item.get("id")
            if not given:
                raise GraphError(400, "ErrorInvalidExtendedProperty", INVALID_PROPERTY)
            key, kind, shown = _property_key(given)
            known = mailbox.property_types.get(key)
            if known is not None and known != kind:
                raise GraphError(400, "ErrorInvalidExtendedProperty", INVALID_PROPERTY)
            value = item.get("value")
            if value is None:
                raise GraphError(
                    400,
                    "ErrorInvalidExtendedPropertyValue",
                    "The extended property value is inconsistent with its type.",
                )
            _check_property_value(kind, value)
            out.append((key, kind, shown, value))
        return out

    @staticmethod
    def _store_properties(
        mailbox: Mailbox, rest_id: str, properties: list[tuple[tuple[Any, ...], str, str, str]]
    ) -> None:
        stored = mailbox.extended.setdefault(rest_id, {})
        for key, kind, shown, value in properties:
            mailbox.property_types.setdefault(key, kind)
            stored[key] = {"id": shown, "value": value}

    @staticmethod
    def _matching_properties(
        mailbox: Mailbox, rest_id: str, wanted: list[tuple[tuple[Any, ...], str]]
    ) -> list[dict[str, str]]:
        for key, kind in wanted:
            known = mailbox.property_types.get(key)
            if known is not None and known != kind:
                raise GraphError(400, "ErrorInvalidExtendedProperty", INVALID_PROPERTY)
        stored = mailbox.extended.get(rest_id, {})
        keys = [key for key, _ in wanted]
        return [dict(prop) for key, prop in stored.items() if key in keys]

    # -- translateExchangeIds ------------------------------------------------------------------

    @staticmethod
    def _check_translate_permission(claims: dict[str, Any]) -> None:
        if "scp" in claims:
            if not set(str(claims["scp"]).split()) & set(_TRANSLATE_SCOPES):
                raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)
            return
        if not claims.get("roles"):
            raise GraphError(
                401,
                "NoPermissionsInAccessToken",
                "The token contains no permissions, or permissions can not be understood.",
            )
        raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)

    @staticmethod
    def _check_translate_mailbox(claims: dict[str, Any], mailbox: Mailbox) -> None:
        if claims.get("oid") == mailbox.oid:
            return
        granted = set(str(claims.get("scp", "")).split())
        if not granted & _SHARED["read"]:
            raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)

    def _translate(self, mailbox: Mailbox, params: dict[str, Any]) -> Response:
        ids = params.get("inputIds")
        if not ids or len(ids) > 1000:
            raise GraphError(
                400,
                "ErrorInvalidParameter",
                "The parameter 'InputIds' must hold between 1 and 1000 ids.",
            )
        source, target = params.get("sourceIdType"), params.get("targetIdType")
        if source is None or target is None:
            raise GraphError(
                400,
                "ErrorInvalidParameter",
                "The parameters 'SourceIdType' and 'TargetIdType' must be specified.",
            )
        for kind in (source, target):
            if kind not in _MODELLED_ID_FORMATS:
                raise GraphError(
                    501, "NotImplemented", f"GraphFake does not model the id format '{kind}'."
                )
        value = []
        for given in ids:
            if not _ID_ALPHABET[source].match(given):
                value.append(
                    {
                        "sourceId": given,
                        "errorDetails": {
                            "code": "ErrorInvalidIdMalformed",
                            "message": ID_MALFORMED,
                        },
                    }
                )
                continue
            rest = self._rest_of(mailbox, given, source)
            if rest is None:
                value.append(
                    {
                        "sourceId": given,
                        "errorDetails": {"code": "ErrorItemNotFound", "message": NOT_IN_STORE},
                    }
                )
                continue
            converted = {
                "ewsId": _ews_of(rest),
                "restId": rest,
                "restImmutableEntryId": self._immutable_of(mailbox, rest),
            }[target]
            value.append({"sourceId": given, "targetId": converted})
        return self._json(
            {
                "@odata.context": (
                    f"{self.base_url}/$metadata#Collection(microsoft.graph.convertIdResult)"
                ),
                "value": value,
            }
        )

    def _rest_of(self, mailbox: Mailbox, given: str, source: str) -> str | None:
        """The REST id of the item (stored, or an occurrence the series has) that ``given`` names
        in the ``source`` format; None when it is no item of that mailbox."""
        if source == "restImmutableEntryId":
            rest = next((r for r, i in mailbox.immutable_ids.items() if i == given), None)
            if rest is not None:
                return rest if rest in mailbox.events else None
            parsed = _parse_occurrence_id(given)
            if parsed is None:
                return None
            master = next((r for r, i in mailbox.immutable_ids.items() if i == parsed[0]), "")
            candidate = _occurrence_id(master, parsed[1]) if master else ""
        else:
            candidate = given.replace("/", "-").replace("+", "_") if source == "ewsId" else given
            if candidate in mailbox.events:
                return candidate
        found = self._find_item(mailbox, candidate)
        return candidate if found is not None and found[1] is not None else None

    def _cancel(self, mailbox: Mailbox, event_id: str | None) -> Response:
        found = self._find_item(mailbox, event_id)
        if found is None:
            raise GraphError(404, "ErrorItemNotFound", NOT_IN_STORE)
        event, original = found
        if not event["isOrganizer"]:
            raise GraphError(
                400,
                "ErrorInvalidRequest",
                "Your request can't be completed. You need to be an organizer to cancel a meeting.",
            )
        if original is not None:
            self._remove_occurrence(mailbox, event, original)
        else:
            self._remove_event(mailbox, event)
        return _empty(202)

    def _copies(self, event: dict[str, Any]) -> list[tuple[Mailbox, dict[str, Any]]]:
        found = []
        for mailbox in self._mailboxes.values():
            for candidate in mailbox.events.values():
                if candidate["iCalUId"] == event["iCalUId"] and not candidate["isOrganizer"]:
                    found.append((mailbox, candidate))
        return found

    def _cancel_copies(self, event: dict[str, Any], addresses: set[str] | None) -> None:
        for mailbox, copied in self._copies(event):
            if addresses is not None and mailbox.address.lower() not in addresses:
                continue
            if not copied["isCancelled"]:
                copied["isCancelled"] = True
                if not copied["subject"].startswith("Canceled: "):
                    copied["subject"] = "Canceled: " + copied["subject"]
                self._touch(copied)
                self._notify(mailbox, copied, "updated")

    def _sync_copies(
        self,
        organizer: Mailbox,
        event: dict[str, Any],
        old: set[str],
        *,
        occurrence: datetime | None = None,
    ) -> None:
        """The attendees' copies follow the organiser's event (``occurrence``: the original
        start of the one occurrence of that series that changed, for the notifications)."""
        current = {a["emailAddress"]["address"].lower() for a in event["attendees"]}
        existing = {mailbox.id: copied for mailbox, copied in self._copies(event)}
        shared = (
            "subject",
            "body",
            "bodyPreview",
            "start",
            "end",
            "originalStartTimeZone",
            "originalEndTimeZone",
            "location",
            "locations",
            "attendees",
            "organizer",
            "isOnlineMeeting",
            "onlineMeetingProvider",
            "onlineMeeting",
            "importance",
            "sensitivity",
            "isAllDay",
            "hideAttendees",
            "allowNewTimeProposals",
            "responseRequested",
            "type",
            "recurrence",
        )
        for address in sorted(current):
            mailbox = self._mailbox_by_address(address)
            if mailbox is None or mailbox is organizer:
                continue
            copied = existing.get(mailbox.id)
            if copied is None:
                copied = copy.deepcopy(event)
                copied["id"] = self._new_item_id(mailbox)
                copied["webLink"] = _web_link(copied["id"])
                self._touch(copied)
                copied.pop("transactionId", None)
                copied["isOrganizer"] = False
                copied["showAs"] = "tentative"
                copied["categories"] = []
                copied["responseStatus"] = {"response": "notResponded", "time": ZERO_TIME}
                mailbox.events[copied["id"]] = copied
                self._copy_series(organizer, event, mailbox, copied)
                self._notify(mailbox, copied, "created")
                continue
            for key in shared:
                copied[key] = copy.deepcopy(event[key])
            copied["isCancelled"] = False
            self._copy_series(organizer, event, mailbox, copied)
            self._touch(copied)
            if occurrence is not None:
                self._notify_occurrence(mailbox, copied, occurrence, "updated")
            else:
                self._notify(mailbox, copied, "updated")
        self._cancel_copies(event, old - current)

    def _meeting_chat(self, organizer: Mailbox, event: dict[str, Any]) -> None:
        """The chat of an online meeting, with the organiser and attendee mailboxes as members."""
        chat_id = _meeting_chat_id((event.get("onlineMeeting") or {}).get("joinUrl"))
        if chat_id is None:
            return
        members = {organizer.oid}
        for attendee in event["attendees"]:
            mailbox = self._mailbox_by_address(attendee["emailAddress"]["address"])
            if mailbox is not None:
                members.add(mailbox.oid)
        chat = self._chats.get(chat_id)
        if chat is None:
            self._chats[chat_id] = Chat(chat_id, members, meeting=True)
        elif chat.meeting:
            chat.members |= members

    # -- calendarView --------------------------------------------------------------------------

    def _calendar_view(
        self,
        request: Request,
        mailbox: Mailbox,
        segment: str,
        select: list[str] | None,
        prefer: str | None,
        immutable: bool = False,
    ) -> Response:
        window = _window(request)
        items = sorted(
            self._timeline(mailbox, window[0], window[1]),
            key=lambda e: (_utc_of(e["start"]), _utc_of(e["end"]), e["id"]),
        )
        user = quote(segment, safe="@")
        return self._listing(
            request,
            mailbox,
            items,
            f"{self.base_url}/users/{user}/calendarView",
            f"{self.base_url}/$metadata#users('{user}')/calendarView",
            window[2],
            select,
            prefer,
            immutable,
        )

    def _instances_request(
        self,
        request: Request,
        mailbox: Mailbox,
        segment: str,
        event_id: str | None,
        select: list[str] | None,
        prefer: str | None,
        immutable: bool = False,
    ) -> Response:
        """``GET …/events/{id}/instances``: a master's occurrences and exceptions in a window."""
        window = _window(request)
        found = self._find_item(mailbox, event_id)
        if found is None:
            raise GraphError(404, "ErrorItemNotFound", NOT_IN_STORE)
        event, original = found
        items: list[dict[str, Any]] = []
        if original is None and event["type"] == "seriesMaster":
            items = sorted(
                self._instances(mailbox, event, window[0], window[1]),
                key=lambda e: (_utc_of(e["start"]), _utc_of(e["end"]), e["id"]),
            )
        user = quote(segment, safe="@")
        shown = quote(event_id or "", safe="")
        return self._listing(
            request,
            mailbox,
            items,
            f"{self.base_url}/users/{user}/events/{shown}/instances",
            f"{self.base_url}/$metadata#users('{user}')/events('{shown}')/instances",
            window[2],
            select,
            prefer,
            immutable,
        )

    def _listing(
        self,
        request: Request,
        mailbox: Mailbox,
        items: list[dict[str, Any]],
        base: str,
        context: str,
        window_params: list[tuple[str, str]],
        select: list[str] | None,
        prefer: str | None,
        immutable: bool,
    ) -> Response:
        """One page of events (``$top``, default 10; ``$skip``; ``$select``; nextLink)."""
        top = _query_int(request.args.get("$top"), "$top", 10)
        skip = _query_int(request.args.get("$skip"), "$skip", 0)
        top = max(1, min(top, 1000))
        page = items[skip : skip + top]
        value = [self._render(mailbox, e, prefer or "UTC", immutable=immutable) for e in page]
        if select is not None:
            value = [_selected(item, select) for item in value]
        context_tail = f"({','.join(select)})" if select else ""
        body: dict[str, Any] = {"@odata.context": f"{context}{context_tail}", "value": value}
        if skip + top < len(items):
            params = list(window_params)
            if select is not None:
                params.append(("$select", ",".join(select)))
            params += [("$top", str(top)), ("$skip", str(skip + top))]
            body["@odata.nextLink"] = f"{base}?{urlencode(params)}"
        return self._json(body)

    # -- free/busy -----------------------------------------------------------------------------

    def _status(self, mailbox: Mailbox | None, lo: datetime, hi: datetime) -> str:
        if mailbox is None:
            return "unknown"
        status = "free"
        for event in self._timeline(mailbox, lo, hi):
            if event["isCancelled"]:
                continue
            shown = event["showAs"]
            if _STATUS_RANK.get(shown, 0) > _STATUS_RANK[status]:
                status = shown
        return status

    @staticmethod
    def _within_hours(mailbox: Mailbox, lo: datetime, hi: datetime, domain: str) -> bool:
        tz = zone(mailbox.time_zone)
        assert tz is not None
        local_lo = lo.astimezone(tz)
        day = local_lo.date()
        days = WEEKDAYS if domain == "personal" else mailbox.days
        if WEEKDAYS[day.weekday()] not in days:
            return False
        begin = datetime.combine(day, dtime.fromisoformat(mailbox.start), tz)
        finish = datetime.combine(day, dtime.fromisoformat(mailbox.end), tz)
        return begin <= lo and hi <= finish

    def _find_meeting_times(
        self, organizer: Mailbox, params: dict[str, Any], prefer: str | None
    ) -> Response:
        duration = params.get("meetingDuration") or timedelta(minutes=30)
        if duration <= timedelta(0):
            raise GraphError(400, "ErrorInvalidParameter", "The meeting duration must be positive.")
        constraint = params.get("timeConstraint") or {}
        domain = constraint.get("activityDomain") or "work"
        slots: list[tuple[datetime, datetime]] = []
        for slot in constraint.get("timeSlots") or []:
            start = _check_dttz(slot.get("start"), "time slot's start")
            end = _check_dttz(slot.get("end"), "time slot's end")
            if end <= start:
                raise GraphError(
                    400, "ErrorInvalidParameter", "The time slot's end must be after its start."
                )
            slots.append((start, end))
        if not constraint.get("timeSlots"):
            now = _ceil_step(datetime.now(UTC))
            slots.append((now, now + timedelta(days=7)))
        attendees = []
        for item in params.get("attendees") or []:
            email = item.get("emailAddress") or {}
            address = email.get("address")
            if not address:
                raise GraphError(
                    400, "ErrorInvalidParameter", "An attendee's email address is missing."
                )
            if address.lower() == organizer.address.lower():
                continue
            attendees.append(
                (item.get("type") or "required", email, self._mailbox_by_address(address))
            )
        organizer_optional = bool(params.get("isOrganizerOptional"))
        minimum = params.get("minimumAttendeePercentage")
        minimum = 50.0 if minimum is None else float(minimum)
        max_candidates = params.get("maxCandidates") or DEFAULT_MAX_CANDIDATES
        reasons = bool(params.get("returnSuggestionReasons"))
        hour_holders = [] if organizer_optional else [organizer]
        hour_holders += [mb for kind, _, mb in attendees if kind == "required" and mb is not None]
        locations = []
        for location in (params.get("locationConstraint") or {}).get("locations") or []:
            item = {"displayName": location.get("displayName") or ""}
            if location.get("locationEmailAddress"):
                item["locationEmailAddress"] = location["locationEmailAddress"]
            locations.append(item)

        seen: set[datetime] = set()
        found: list[tuple[float, datetime, str, list[tuple[str, dict[str, Any], str]]]] = []
        organizer_free = False
        for lo, hi in slots:
            when = _ceil_step(lo)
            while when + duration <= hi and len(seen) < 20_000:
                end = when + duration
                if when in seen:
                    when += STEP
                    continue
                seen.add(when)
                if domain == "unrestricted" or all(
                    self._within_hours(mb, when, end, domain) for mb in hour_holders
                ):
                    own = self._status(organizer, when, end)
                    organizer_free = organizer_free or own == "free"
                    if organizer_optional or own == "free":
                        found_for = [(k, e, self._status(mb, when, end)) for k, e, mb in attendees]
                        chances = [
                            100.0 if s == "free" else 49.0 if s == "unknown" else 0.0
                            for _, _, s in found_for
                        ]
                        confidence = sum(chances) / len(chances) if chances else 100.0
                        if confidence >= minimum:
                            found.append((confidence, when, own, found_for))
                when += STEP
        found.sort(key=lambda f: (-f[0], f[1]))
        zone_name = prefer or "UTC"
        suggestions = []
        for order, (confidence, when, own, found_for) in enumerate(found[:max_candidates], 1):
            reason = ""
            if reasons:
                who = "all" if confidence == 100.0 else "most"
                reason = (
                    f"Suggested because it is one of the nearest times when {who} attendees "
                    "are available."
                )
            suggestions.append(
                {
                    "confidence": confidence,
                    "order": order,
                    "organizerAvailability": own,
                    "suggestionReason": reason,
                    "attendeeAvailability": [
                        {
                            "attendee": {
                                "type": kind,
                                "emailAddress": {"address": email.get("address")},
                            },
                            "availability": status,
                        }
                        for kind, email, status in found_for
                    ],
                    "locations": copy.deepcopy(locations),
                    "meetingTimeSlot": {
                        "start": _in_zone(when, zone_name),
                        "end": _in_zone(when + duration, zone_name),
                    },
                }
            )
        empty = ""
        if not suggestions:
            empty = (
                "organizerUnavailable"
                if not organizer_optional and not organizer_free
                else "attendeesUnavailable"
            )
        return self._json(
            {
                "@odata.context": (
                    f"{self.base_url}/$metadata#microsoft.graph.meetingTimeSuggestionsResult"
                ),
                "emptySuggestionsReason": empty,
                "meetingTimeSuggestions": suggestions,
            }
        )

    def _get_schedule(
        self, mailbox: Mailbox, params: dict[str, Any], prefer: str | None
    ) -> Response:
        del mailbox  # the caller's mailbox only decides access; schedules are looked up
        schedules = params.get("schedules")
        if not schedules:
            raise GraphError(
                400, "ErrorInvalidParameter", "The parameter 'Schedules' must not be empty."
            )
        if params.get("startTime") is None or params.get("endTime") is None:
            raise GraphError(
                400,
                "ErrorInvalidParameter",
                "The parameters 'StartTime' and 'EndTime' must be specified.",
            )
        lo = _check_dttz(params["startTime"], "start time")
        hi = _check_dttz(params["endTime"], "end time")
        if hi <= lo:
            raise GraphError(
                400, "ErrorInvalidParameter", "The end time must be after the start time."
            )
        if hi - lo > MAX_SCHEDULE_WINDOW:
            raise GraphError(
                400,
                "ErrorInvalidParameter",
                "The requested time window is longer than the maximum of 62 days.",
            )
        interval = params.get("availabilityViewInterval")
        interval = 30 if interval is None else interval
        if not 5 <= interval <= 1440:
            raise GraphError(
                400,
                "ErrorInvalidParameter",
                "The availabilityViewInterval must be between 5 and 1440 minutes.",
            )
        zone_name = prefer or "UTC"
        step = timedelta(minutes=interval)
        value = []
        for address in schedules:
            target = self._mailbox_by_address(address)
            if target is None:
                value.append(
                    {
                        "scheduleId": address,
                        "error": {
                            "message": f"Unable to resolve e-mail address <>{address} to an "
                            "Active Directory object.",
                            "responseCode": "ErrorMailRecipientNotFound",
                        },
                    }
                )
                continue
            # One pass per event over the intervals it touches (not intervals x events):
            # a 62-day window at 15 minutes is ~6,000 intervals.
            slots = math.ceil((hi - lo) / step)
            ranks = ["free"] * slots
            timeline = self._timeline(target, lo, hi)
            for event in timeline:
                if event["isCancelled"]:
                    continue
                start, end = _utc_of(event["start"]), _utc_of(event["end"])
                if not _overlaps(start, end, lo, hi):
                    continue
                first = max(0, (start - lo) // step)
                last = min(slots - 1, math.ceil((end - lo) / step) - 1)
                shown = event["showAs"]
                for i in range(first, last + 1):
                    if _STATUS_RANK.get(shown, 0) > _STATUS_RANK[ranks[i]]:
                        ranks[i] = shown
            view = [_VIEW_DIGIT[rank] for rank in ranks]
            items = []
            for event in sorted(timeline, key=lambda e: (_utc_of(e["start"]), e["id"])):
                start, end = _utc_of(event["start"]), _utc_of(event["end"])
                if event["isCancelled"] or not _overlaps(start, end, lo, hi):
                    continue
                private = event["sensitivity"] == "private"
                item: dict[str, Any] = {"isPrivate": private, "status": event["showAs"]}
                if not private:
                    item["subject"] = event["subject"]
                    item["location"] = event["location"]["displayName"]
                item["start"] = _in_zone(start, zone_name)
                item["end"] = _in_zone(end, zone_name)
                items.append(item)
            value.append(
                {
                    "scheduleId": address,
                    "availabilityView": "".join(view),
                    "scheduleItems": items,
                    "workingHours": {
                        "daysOfWeek": list(target.days),
                        "startTime": f"{target.start}.0000000",
                        "endTime": f"{target.end}.0000000",
                        "timeZone": {"name": target.time_zone},
                    },
                }
            )
        return self._json(
            {
                "@odata.context": (
                    f"{self.base_url}/$metadata#Collection(microsoft.graph.scheduleInformation)"
                ),
                "value": value,
            }
        )


# -- small helpers --------------------------------------------------------------------------------


def _check_adaptive_card(attachment_id: str, content: Any) -> None:
    """An adaptive card attachment's content: a JSON string of an AdaptiveCard object."""

    def bad(why: str) -> GraphError:
        return GraphError(
            400, "BadRequest", f"Attachment '{attachment_id}' is not a valid adaptive card: {why}"
        )

    if not isinstance(content, str) or not content.strip():
        raise bad("its content must be the card as a JSON string.")
    try:
        card = json.loads(content)
    except ValueError:
        raise bad("its content is not valid JSON.") from None
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        raise bad('the card\'s "type" must be "AdaptiveCard".')
    version = card.get("version")
    if not isinstance(version, str) or not version.strip():
        raise bad('the card needs a "version".')


def _new_event_id() -> str:
    """An opaque id shaped like Exchange's ("AAMkAG…AAA=", URL-safe base64)."""
    raw = base64.urlsafe_b64encode(secrets.token_bytes(105)).decode().rstrip("=")
    return f"AAMkAG{raw}AAA="


def _new_immutable_id() -> str:
    """An opaque immutable id shaped like Exchange's (URL-safe base64, its own prefix)."""
    raw = base64.urlsafe_b64encode(secrets.token_bytes(60)).decode().rstrip("=")
    return f"AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A{raw}AAA="


def _new_change_key() -> str:
    return base64.b64encode(secrets.token_bytes(22)).decode()


# -- recurring series: occurrence ids and the pattern --------------------------------------------

_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
_OCCURRENCE_MARK = "AFRAAgI"
_OCCURRENCE_TAIL = "AAEA=="
_OCCURRENCE_ID = re.compile(r"^([A-Za-z0-9_-]+)AFRAAgI([A-Za-z0-9_-]{11})AAEA==$")


def _occurrence_id(master_id: str, original: datetime) -> str:
    """The id of the occurrence of ``master_id`` (REST or immutable) originally at ``original``.

    Like Exchange's, it is the master's id with the original start (a FILETIME) folded in, so
    it is the same every time it is asked for, in either id form.
    """
    assert master_id.endswith("AAA=")
    delta = original.astimezone(UTC) - _FILETIME_EPOCH
    ticks = (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10
    stamp = base64.urlsafe_b64encode(ticks.to_bytes(8, "big")).decode().rstrip("=")
    return f"{master_id[:-4]}{_OCCURRENCE_MARK}{stamp}{_OCCURRENCE_TAIL}"


def _parse_occurrence_id(value: str | None) -> tuple[str, datetime] | None:
    """(master id in the same form, original start in UTC) of an occurrence id, else None."""
    match = _OCCURRENCE_ID.match(value or "")
    if match is None:
        return None
    try:
        ticks = int.from_bytes(base64.urlsafe_b64decode(match.group(2) + "="), "big")
    except ValueError:
        return None
    original = _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
    return match.group(1) + "AAA=", original


def _occurrence_ical_uid(master_uid: str, day: date) -> str:
    """An occurrence's GlobalObjectId: the master's with the instance date in it (MS-OXOCAL)."""
    return f"{master_uid[:32]}{day.year:04X}{day.month:02X}{day.day:02X}{master_uid[40:]}"


def _original_stamp(value: datetime) -> str:
    """``originalStart`` as Graph writes it (an Edm.DateTimeOffset in UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _period_days(recurrence: dict[str, Any]) -> int:
    pattern = recurrence["pattern"]
    return int(pattern["interval"]) * (7 if pattern["type"] == "weekly" else 1)


def _pattern_dates(recurrence: dict[str, Any], lo: date, hi: date) -> list[date]:
    """The local dates in [lo, hi] on which a (validated, normalised) daily or weekly series
    has an occurrence, honouring its range (start date, end date, number of occurrences)."""
    pattern, span = recurrence["pattern"], recurrence["range"]
    first = date.fromisoformat(span["startDate"])
    last = date.fromisoformat(span["endDate"]) if span["type"] == "endDate" else None
    count = span["numberOfOccurrences"] if span["type"] == "numbered" else None
    step = int(pattern["interval"])
    out: list[date] = []

    def stop(day: date, index: int) -> bool:
        ended = (last is not None and day > last) or (count is not None and index >= count)
        return day > hi or ended

    if pattern["type"] == "daily":
        index = max(0, (lo - first).days // step)
        while True:
            day = first + timedelta(days=index * step)
            if stop(day, index):
                return out
            if day >= lo:
                out.append(day)
            index += 1
    week_start = WEEKDAYS.index(pattern["firstDayOfWeek"])
    offsets = sorted({(WEEKDAYS.index(d) - week_start) % 7 for d in pattern["daysOfWeek"]})
    anchor = first - timedelta(days=(first.weekday() - week_start) % 7)
    in_first_week = sum(1 for o in offsets if anchor + timedelta(days=o) >= first)
    week = max(0, (lo - anchor).days // (7 * step) - 1)
    index = 0 if week == 0 else in_first_week + (week - 1) * len(offsets)
    while True:
        for offset in offsets:
            day = anchor + timedelta(days=7 * step * week + offset)
            if day < first:
                continue
            if stop(day, index):
                return out
            if day >= lo:
                out.append(day)
            index += 1
        week += 1


def _first_date(recurrence: dict[str, Any]) -> date | None:
    """The date of a series' first occurrence (None: the range holds none)."""
    first = date.fromisoformat(recurrence["range"]["startDate"])
    found = _pattern_dates(recurrence, first, first + timedelta(days=_period_days(recurrence) + 7))
    return found[0] if found else None


def _web_link(event_id: str) -> str:
    return (
        "https://outlook.office365.com/owa/?itemid="
        f"{quote(event_id, safe='')}&exvsurl=1&path=/calendar/item"
    )


def _first_unknown_segment(rest: list[str]) -> str | None:
    """The first segment Graph would not know below /users/{id}; None for real, unmodelled ones."""
    low = [segment.lower() for segment in rest]
    if not low:
        return None
    if low[0] == "events":
        return None  # accept, decline, attachments, instances, …: real, not modelled
    if low[0] == "calendar":
        if len(low) > 1 and low[1] not in ("calendarview", "getschedule", "events"):
            return rest[1]
        return rest[2] if len(low) > 2 else None
    if low[0] in ("calendarview", "findmeetingtimes"):
        return rest[1] if len(low) > 1 else None
    if low[0] in ("calendars", "mailboxsettings", "messages", "calendargroups"):
        return None
    return rest[0]


def _drop(environ: dict[str, Any]) -> None:
    """Close the TCP connection without a byte of answer (no TLS close_notify either)."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    raise _Dropped("GraphFake dropped the connection")


def _empty(status: int) -> Response:
    response = Response(status=status)
    del response.headers["Content-Type"]
    return response


def _lenient_json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _location(value: dict[str, Any] | None) -> dict[str, Any]:
    if not value:
        return {
            "displayName": "",
            "locationType": "default",
            "uniqueIdType": "unknown",
            "address": {},
            "coordinates": {},
        }
    return {
        "displayName": value.get("displayName") or "",
        "locationType": value.get("locationType") or "default",
        "uniqueId": value.get("uniqueId") or value.get("displayName") or "",
        "uniqueIdType": value.get("uniqueIdType") or "private",
    }


def _selected(
    item: dict[str, Any], select: list[str], keep_context: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if keep_context and "@odata.context" in item:
        out["@odata.context"] = item["@odata.context"]
    out["@odata.etag"] = item.get("@odata.etag")
    out["id"] = item.get("id")
    for name in select:
        out[name] = item.get(name)
    return out


def _teams_permission(
    claims: dict[str, Any], roles: tuple[str, ...], scopes: tuple[str, ...]
) -> bool:
    """Check a Teams permission; True when only a "Self" one lets the caller in."""
    if "scp" in claims:
        granted = str(claims["scp"]).split()
        found = set(granted) & set(scopes)
        if not found:
            raise GraphError(
                403,
                "Forbidden",
                "Missing scope permissions on the request. API requires one of "
                f"'{', '.join(scopes)}'. Scopes on the request '{', '.join(granted)}'.",
            )
        return all("Self" in name for name in found)
    held = claims.get("roles") or []
    if not held:
        raise GraphError(
            401,
            "NoPermissionsInAccessToken",
            "The token contains no permissions, or permissions can not be understood.",
        )
    found = set(held) & set(roles)
    if not found:
        raise GraphError(
            403,
            "Forbidden",
            "Missing role permissions on the request. API requires one of "
            f"'{', '.join(roles)}'. Roles on the request '{', '.join(held)}'.",
        )
    return all("Self" in name for name in found)


def _refuse_other_app(
    claims: dict[str, Any], roles: tuple[str, ...], scopes: tuple[str, ...]
) -> None:
    """A "Self" permission used on another app: as if the permission were missing."""
    if "scp" in claims:
        granted = str(claims["scp"]).split()
        others = [s for s in scopes if "Self" not in s]
        raise GraphError(
            403,
            "Forbidden",
            "Missing scope permissions on the request. API requires one of "
            f"'{', '.join(others)}'. Scopes on the request '{', '.join(granted)}'.",
        )
    held = claims.get("roles") or []
    others = [r for r in roles if "Self" not in r]
    raise GraphError(
        403,
        "Forbidden",
        "Missing role permissions on the request. API requires one of "
        f"'{', '.join(others)}'. Roles on the request '{', '.join(held)}'.",
    )


def _query_options(request: Request, known: tuple[str, ...]) -> dict[str, str]:
    """The request's OData query options (names case-insensitive); others are not modelled."""
    out = {}
    for key, value in request.args.items():
        name = key.lower()
        if name not in known:
            raise GraphError(
                501, "NotImplemented", f"GraphFake does not model the query option '{key}' here."
            )
        out[name] = value
    return out


def _names(raw: str | None, allowed: tuple[str, ...], type_name: str) -> list[str] | None:
    """A ``$select`` list, names matched case-insensitively."""
    if raw is None:
        return None
    canonical = {n.lower(): n for n in allowed}
    names: list[str] = []
    for part in raw.split(","):
        name = canonical.get(part.strip().lower())
        if name is None:
            raise GraphError(
                400,
                "BadRequest",
                f"Could not find a property named '{part.strip()}' on type "
                f"'microsoft.graph.{type_name}'.",
            )
        if name not in names:
            names.append(name)
    return names


def _eq_clauses(raw: str | None, allowed: tuple[str, ...], type_name: str) -> list[tuple[str, str]]:
    """A ``$filter`` of ``name eq '…'`` clauses joined with ``and``."""
    if raw is None:
        return []
    canonical = {n.lower(): n for n in allowed}
    clauses = []
    for part in re.split(r"\s+and\s+", raw.strip(), flags=re.IGNORECASE):
        match = _EQ_CLAUSE.match(part)
        if match is None:
            raise GraphError(
                501,
                "NotImplemented",
                f"GraphFake models only \"name eq '…'\" clauses joined by 'and', not '{part}'.",
            )
        name = canonical.get(match.group(1).lower())
        if name is None:
            raise GraphError(
                400,
                "BadRequest",
                f"Could not find a property named '{match.group(1)}' on type "
                f"'microsoft.graph.{type_name}'.",
            )
        clauses.append((name, match.group(2).replace("''", "'")))
    return clauses


def _expand_app(raw: str | None) -> bool:
    """``$expand=teamsApp`` (the only expansion modelled for installed apps and tabs)."""
    if raw is None:
        return False
    names = [part.strip() for part in raw.split(",")]
    if [n.lower() for n in names] != ["teamsapp"]:
        raise GraphError(
            501, "NotImplemented", f"GraphFake models only $expand=teamsApp here, not '{raw}'."
        )
    return True


def _is_https(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc)


def _property_key(value: str) -> tuple[tuple[Any, ...], str, str]:
    """An extended property id: (its identity in the mailbox, its MAPI type, the id as answered).

    The type and GUID are matched case-insensitively, the name case-sensitively (as documented
    for filters on extended properties).
    """
    match = _PROPERTY_ID.match(value)
    if match is None or match.group(1).lower() not in _PROPERTY_TYPES:
        raise GraphError(400, "ErrorInvalidExtendedProperty", INVALID_PROPERTY)
    kind = _PROPERTY_TYPES[match.group(1).lower()]
    guid, name, lid, tag = match.group(2, 3, 4, 5)
    if tag is not None:
        number = int(tag, 16)
        return ("tag", number), kind, f"{kind} 0x{number:x}"
    guid = guid.lower()
    if name is not None:
        return ("name", guid, name), kind, f"{kind} {{{guid}}} Name {name}"
    number = int(lid, 16)
    return ("id", guid, number), kind, f"{kind} {{{guid}}} Id 0x{number:x}"


def _check_property_value(kind: str, value: str) -> None:
    """A value must fit its MAPI type (Exchange's ErrorInvalidExtendedPropertyValue)."""
    if kind in _PROPERTY_TYPES_NOT_MODELLED:
        raise GraphError(
            501, "NotImplemented", f"GraphFake does not model extended properties of type {kind}."
        )
    text = value.strip()
    ok = True
    if kind in ("Integer", "Long", "Short"):
        bits = {"Short": 16, "Integer": 32, "Long": 64}[kind]
        ok = bool(_INT.match(text)) and -(2 ** (bits - 1)) <= int(text) < 2 ** (bits - 1)
    elif kind == "Boolean":
        ok = text.lower() in ("true", "false")
    elif kind in ("Double", "Float", "Currency"):
        ok = bool(_FLOAT.match(text))
    elif kind == "SystemTime":
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            ok = False
    elif kind == "CLSID":
        ok = re.fullmatch(_GUID, text) is not None
    elif kind == "Binary":
        try:
            base64.b64decode(text, validate=True)
        except ValueError:
            ok = False
    if not ok:
        raise GraphError(
            400,
            "ErrorInvalidExtendedPropertyValue",
            "The extended property value is inconsistent with its type.",
        )


def _offset_stamp(value: datetime) -> str:
    """A time as Graph writes it in notifications: seven fractional digits and ``+00:00``."""
    return graph_datetime(value.astimezone(UTC)) + "+00:00"


def _attendee_addresses(event: dict[str, Any]) -> set[str]:
    return {a["emailAddress"]["address"].lower() for a in event["attendees"]}


def _change_types(value: str) -> frozenset[str]:
    items = [part.strip() for part in value.split(",")]
    for item in items:
        if item not in CHANGE_TYPES:
            raise GraphError(
                400,
                "InvalidRequest",
                f"The changeType '{item}' is not supported; use created, updated or deleted.",
            )
    return frozenset(items)


def _check_subscriber_url(url: str, name: str) -> None:
    scheme = urlsplit(url).scheme
    if scheme != "https" or not urlsplit(url).netloc:
        raise GraphError(400, "InvalidRequest", f"{name} scheme='{scheme}' is not supported.")


def _app_id(claims: dict[str, Any]) -> str:
    return str(claims.get("appid") or claims.get("azp") or "")


def _owns(claims: dict[str, Any], subscription: StoredSubscription) -> bool:
    """The caller's app made it (and, for a delegated caller, for that user)."""
    if subscription.application_id != _app_id(claims):
        return False
    return "scp" not in claims or subscription.creator_id == str(claims.get("oid"))


def _check_any_permission(claims: dict[str, Any]) -> None:
    if not str(claims.get("scp", "")).split() and not claims.get("roles"):
        raise GraphError(
            401,
            "NoPermissionsInAccessToken",
            "The token contains no permissions, or permissions can not be understood.",
        )


def _subscription_forbidden(operation: str, reason: str) -> GraphError:
    return GraphError(
        403,
        "ExtensionError",
        f"Operation: {operation}; Exception: [Status Code: Forbidden; Reason: {reason}]",
    )


def _check_subscribe_permission(claims: dict[str, Any], operation: str) -> None:
    """Event subscriptions: Calendars.Read (or ReadWrite), delegated or application."""
    _check_any_permission(claims)
    if "scp" in claims:
        granted = set(str(claims["scp"]).split())
        if not granted & _SUBSCRIBE_SCOPES:
            raise _subscription_forbidden(operation, "Forbidden")
        return
    if not set(claims.get("roles") or []) & _SUBSCRIBE_ROLES:
        raise _subscription_forbidden(operation, "Forbidden")


def _ews_of(rest_id: str) -> str:
    """The EWS form of a REST id (Office.js ``convertToRestId`` reversed)."""
    return rest_id.replace("-", "/").replace("_", "+")


def _meeting_chat_id(join_url: str | None) -> str | None:
    """The ``19:meeting_…@thread.v2`` id in a Teams join URL's path."""
    if not join_url:
        return None
    segments = urlsplit(join_url).path.split("/")
    if "meetup-join" not in segments:
        return None
    index = segments.index("meetup-join")
    return unquote(segments[index + 1]) if index + 1 < len(segments) else None


def _prefer_immutable(request: Request) -> bool:
    """``Prefer: IdType="ImmutableId"``, alone or among other preferences (one or more headers)."""
    for header in request.headers.getlist("Prefer"):
        for match in _PREFER_ID_TYPE.finditer(header):
            if match.group(1).lower() == "immutableid":
                return True
    return False


def _expand_properties(request: Request) -> list[tuple[tuple[Any, ...], str]] | None:
    """``$expand=singleValueExtendedProperties($filter=id eq '…' [or id eq '…']…)``: the keys."""
    raw = None
    for key, value in request.args.items():
        if key.lower() == "$expand":
            raw = value
    if raw is None:
        return None
    match = _EXPAND_FILTER.match(raw.strip())
    if match is None or match.group(1).lower() != _SVEP.lower():
        name = raw.split("(")[0].strip()
        if name.lower() == _SVEP.lower():
            raise GraphError(
                501,
                "NotImplemented",
                "GraphFake models $expand of singleValueExtendedProperties only with "
                "($filter=id eq '…' [or id eq '…'])",
            )
        if name.lower() in (n.lower() for n in _EVENT_NAVIGATION):
            raise GraphError(
                501, "NotImplemented", f"GraphFake does not model $expand of '{name}'."
            )
        raise GraphError(
            400,
            "BadRequest",
            f"Could not find a property named '{name}' on type 'microsoft.graph.event'.",
        )
    keys: list[tuple[tuple[Any, ...], str]] = []
    for clause in re.split(r"\s+or\s+", match.group(2).strip(), flags=re.IGNORECASE):
        eq = _ID_EQ.match(clause)
        if eq is None:
            raise GraphError(
                501,
                "NotImplemented",
                f"GraphFake models only \"id eq '…'\" clauses in this $filter, not '{clause}'.",
            )
        identity, kind, _ = _property_key(eq.group(1).replace("''", "'"))
        keys.append((identity, kind))
    return keys


def _prefer_zone(request: Request) -> str | None:
    for header in request.headers.getlist("Prefer"):
        match = _PREFER_TZ.search(header)
        if match:
            name = match.group(1) if match.group(1) is not None else match.group(2)
            return name if zone(name) is not None else None
    return None


def _window(request: Request) -> tuple[datetime, datetime, list[tuple[str, str]]]:
    """The required startDateTime/endDateTime of calendarView and instances (names matched
    case-insensitively): (start, end, the parameters as given, for a nextLink)."""
    args = {k.lower(): (k, v) for k, v in request.args.items()}
    if (
        not (args.get("startdatetime") or ("", ""))[1]
        or not (args.get("enddatetime") or ("", ""))[1]
    ):
        raise GraphError(
            400,
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters "
            "StartDateTime and EndDateTime.",
        )
    lo = _query_time(args["startdatetime"][1], "StartDateTime")
    hi = _query_time(args["enddatetime"][1], "EndDateTime")
    return lo, hi, [args["startdatetime"], args["enddatetime"]]


def _query_time(value: str, name: str) -> datetime:
    match = _QUERY_DATETIME.match(value.strip())
    if match is None:
        raise GraphError(
            400, "ErrorInvalidParameter", f"The value '{value}' of parameter '{name}' is invalid."
        )
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0").ljust(7, "0")[:6])
    try:
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=UTC,
        )
    except ValueError:
        raise GraphError(
            400, "ErrorInvalidParameter", f"The value '{value}' of parameter '{name}' is invalid."
        ) from None
    if offset and offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        parsed -= sign * delta
    return parsed


def _query_int(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    if not value.strip().isdigit():
        raise GraphError(
            400,
            "BadRequest",
            f"Invalid value '{value}' for {name} query option found. The {name} query option "
            "requires a non-negative integer value.",
        )
    return int(value)
