// The consent pop-up's last page: tell the tab (through TeamsJS) how it went, then close.

import { connect } from "./teams.js";

const boot = JSON.parse(document.getElementById("og-boot")?.textContent || "{}");
const sdk = await connect(boot.teamsjs).catch(() => null);
if (sdk) {
  if (boot.outcome === "ok") sdk.authentication.notifySuccess("consented");
  else sdk.authentication.notifyFailure(boot.outcome);
}
