"""Checks of the built app manifest that Microsoft's JSON schema does not make.

The schema (v1.30) checks shapes, not meaning. It lets these through, and each would give a
package that uploads but does not work:

- a ribbon control whose `actionId` names no action of any runtime (the button does nothing),
  or two runtime actions with the same id;
- a URL that is `http://` (the schema allows that for icons and most `…Url` properties), that
  points to another host than the public URL, or whose host is not in `validDomains`;
- a ribbon context that is no Outlook context (the schema knows them, but `build_manifest` runs
  without the schema: node is no dependency of the app);
- a Mailbox requirement set other than the one the task pane needs
  (`TASK_PANE_MAILBOX_REQUIREMENT`). Higher hides the add-in from Outlook clients that could run
  it; lower offers it to clients that lack a call the task pane makes;
- activity feed types (`activities.activityTypes`) declared twice, or declared without
  `webApplicationInfo.id` (Graph finds the Teams app of a notification by that Entra app id).

`build_manifest` (plugin/teams_package.py) runs `check_manifest` on every manifest it builds,
so a broken template fails `ontwikkelgesprek package` with a RuntimeError that names the fault.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

#: The lowest Outlook requirement set ("Mailbox") the task pane needs, and so exactly the
#: `minVersion` of the extension's Mailbox capability. The task pane calls `item.saveAsync`
#: (Mailbox 1.3) unconditionally; everything else it calls unconditionally is Mailbox 1.1.
#: Newer calls (`getItemIdAsync`, 1.8; `organizer`, 1.7) are feature-detected at run time.
#: The task pane's tests check its Office.js calls against this constant: raise both together.
TASK_PANE_MAILBOX_REQUIREMENT = "1.3"

#: The ribbon contexts of Outlook (schema v1.30 also allows `default`, which is for Excel,
#: PowerPoint and Word).
OUTLOOK_RIBBON_CONTEXTS = frozenset(
    {
        "mailRead",
        "mailCompose",
        "meetingDetailsOrganizer",
        "meetingDetailsAttendee",
        "onlineMeetingDetailsOrganizer",
        "logEventMeetingDetailsAttendee",
        "spamReportingOverride",
    }
)

#: Teams tab contexts: they belong in `configurableTabs`/`staticTabs`, never in a ribbon.
TEAMS_TAB_CONTEXTS = frozenset(
    {
        "personalTab",
        "channelTab",
        "privateChatTab",
        "meetingChatTab",
        "meetingDetailsTab",
        "meetingSidePanel",
        "meetingStage",
        "teamLevelApp",
    }
)

#: Property names whose string value is a URL, besides any string that starts with "http".
_URL_KEY_ENDINGS = ("Url", "url", "page", "script")


def _walk(node: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    """(JSON path, key, value) of every property below `node`, depth first."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            yield where, str(key), value
            yield from _walk(value, where)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def _dicts(node: Any) -> list[dict[str, Any]]:
    """`node` if it is a list, keeping its objects only; else an empty list."""
    if not isinstance(node, list):
        return []
    return [item for item in node if isinstance(item, dict)]


def _url_problems(manifest: Mapping[str, Any], base_url: str) -> list[str]:
    public = urlsplit(base_url)
    host, prefix = public.netloc.lower(), public.path.rstrip("/")
    valid = {str(domain).lower() for domain in manifest.get("validDomains", [])}
    problems = []
    for where, key, value in _walk(manifest, ""):
        if where == "$schema" or not isinstance(value, str):
            continue  # the schema's own address is no URL the app serves
        if not (value.lower().startswith("http") or key.endswith(_URL_KEY_ENDINGS)):
            continue
        parts = urlsplit(value)
        if parts.scheme.lower() != "https":
            problems.append(f"{where} is not an https URL: {value!r}")
            continue
        netloc = parts.netloc.lower()
        if netloc != host:
            problems.append(f"{where} points to {netloc!r}, not to the public host {host!r}")
        elif prefix and not (parts.path == prefix or parts.path.startswith(prefix + "/")):
            problems.append(f"{where} is outside the public URL {base_url}: {value!r}")
        if netloc not in valid:
            problems.append(f"{where}: its host {netloc!r} is not in validDomains {sorted(valid)}")
    return problems


def _action_problems(extension: Mapping[str, Any], where: str) -> list[str]:
    actions: dict[str, str] = {}
    problems = []
    for r, runtime in enumerate(_dicts(extension.get("runtimes"))):
        for a, action in enumerate(_dicts(runtime.get("actions"))):
            action_id, place = str(action.get("id")), f"{where}.runtimes[{r}].actions[{a}]"
            if action_id in actions:
                problems.append(
                    f"{place}: action id {action_id!r} is used twice (also {actions[action_id]})"
                )
            else:
                actions[action_id] = place
    for part, node in extension.items():
        if part == "runtimes":
            continue
        for path, key, value in _walk(node, f"{where}.{part}"):
            if key == "actionId" and value not in actions:
                problems.append(
                    f"{path} is {value!r}, but no runtime has an action with that id "
                    f"(actions: {sorted(actions)})"
                )
    return problems


def _context_problems(extension: Mapping[str, Any], where: str) -> list[str]:
    problems = []
    for r, ribbon in enumerate(_dicts(extension.get("ribbons"))):
        for c, context in enumerate(ribbon.get("contexts", [])):
            place = f"{where}.ribbons[{r}].contexts[{c}]"
            if context in TEAMS_TAB_CONTEXTS:
                problems.append(
                    f"{place} is {context!r}, a Teams tab context, not an Outlook ribbon context "
                    f"(use one of {sorted(OUTLOOK_RIBBON_CONTEXTS)})"
                )
            elif context not in OUTLOOK_RIBBON_CONTEXTS:
                problems.append(
                    f"{place} is {context!r}, not an Outlook ribbon context "
                    f"(use one of {sorted(OUTLOOK_RIBBON_CONTEXTS)})"
                )
    return problems


def _mailbox_problems(extension: Mapping[str, Any], where: str) -> list[str]:
    requirements = extension.get("requirements")
    capabilities = (
        _dicts(requirements.get("capabilities")) if isinstance(requirements, dict) else []
    )
    mailbox = [item for item in capabilities if item.get("name") == "Mailbox"]
    place = f"{where}.requirements.capabilities"
    if len(mailbox) != 1:
        return [
            f"{place} must name the Mailbox requirement set once, with minVersion "
            f"{TASK_PANE_MAILBOX_REQUIREMENT!r} (found {len(mailbox)})"
        ]
    version = mailbox[0].get("minVersion")
    if version != TASK_PANE_MAILBOX_REQUIREMENT:
        return [
            f"{place}: Mailbox minVersion is {version!r}, but the task pane needs exactly "
            f"{TASK_PANE_MAILBOX_REQUIREMENT!r} (TASK_PANE_MAILBOX_REQUIREMENT in "
            "plugin/manifest_checks.py): higher hides the add-in from Outlook versions that can "
            "run it, lower offers it to versions that lack a call it makes"
        ]
    return []


def _activity_problems(manifest: Mapping[str, Any]) -> list[str]:
    activities = manifest.get("activities")
    types = _dicts(activities.get("activityTypes")) if isinstance(activities, dict) else []
    problems = []
    seen: set[str] = set()
    for index, activity in enumerate(types):
        name = str(activity.get("type"))
        if name in seen:
            problems.append(f"activities.activityTypes[{index}]: type {name!r} is declared twice")
        seen.add(name)
    info = manifest.get("webApplicationInfo")
    if types and not (isinstance(info, dict) and info.get("id")):
        problems.append(
            "activities are declared, but webApplicationInfo.id is missing: Graph finds the "
            "app of an activity notification by that Entra app id"
        )
    return problems


def manifest_problems(manifest: Mapping[str, Any], *, base_url: str) -> list[str]:
    """What is wrong with a built manifest, one sentence each; empty when nothing is.

    `base_url` is the public URL the app is served from (https, no trailing slash, a path
    prefix kept), as `build_manifest` uses it for `{{base_url}}`.
    """
    problems = _url_problems(manifest, base_url) + _activity_problems(manifest)
    for e, extension in enumerate(_dicts(manifest.get("extensions"))):
        where = f"extensions[{e}]"
        problems += _action_problems(extension, where)
        problems += _context_problems(extension, where)
        problems += _mailbox_problems(extension, where)
    return problems


def check_manifest(manifest: Mapping[str, Any], *, base_url: str, source: str) -> None:
    """Raise RuntimeError naming every problem `manifest_problems` finds.

    `source` names what the manifest was built from (the template), for the message.
    """
    problems = manifest_problems(manifest, base_url=base_url)
    if problems:
        listed = "".join(f"\n- {problem}" for problem in problems)
        raise RuntimeError(f"{source} builds a manifest that would not work:{listed}")
