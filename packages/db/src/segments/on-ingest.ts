import { onContactChanged } from '../ingest.js';
import { reevaluateContact } from './reevaluate.js';

// Every profile change re-evaluates the contact's segments right away, in whichever process ingested it
// (API or worker): registered once when @cairn/db loads, so no caller can forget it.
onContactChanged(async (connection, workspaceId, contactId, now) => {
  await reevaluateContact(connection, { workspaceId, contactId, now, reason: 'event' });
});
