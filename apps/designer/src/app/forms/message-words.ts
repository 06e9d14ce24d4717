// The marketer's words for a message step's fields (email@1), shared by its form and its problems so
// "add a body" names the field the form shows; the manifest's titles stay the developer's reference.
export const MESSAGE_FIELD_WORDS: Record<string, { title: string; help?: string }> = {
  subject: { title: 'Subject', help: 'What the inbox shows. Liquid allowed.' },
  html: { title: 'Body', help: 'The message, in HTML. Liquid allowed; values are escaped.' },
  text: { title: 'Plain-text version', help: 'Made from the body when left empty.' },
  from: { title: 'Sender', help: 'Leave empty to send from the workspace sender.' },
  replyTo: { title: 'Reply-to address', help: 'Where replies go, if not to the sender.' },
  templateId: {
    title: 'Report as template (optional)',
    help: 'Groups this step with a template in reports; what is sent is written above.',
  },
  template: { title: 'Template' },
};
