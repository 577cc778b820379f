// The `/lab` application command as Discord registers it: one sub-command per verb, `start` with a lab and an
// optional version (the same rules as the Slack text, see parseLabCommand). Pure data, used by the registration
// script and read back by the interactions handler.
export const labCommandDefinition = {
  name: 'lab',
  description: 'Kubernetes labs on demand',
  type: 1,
  options: [
    { type: 1, name: 'list', description: 'The labs you can start' },
    {
      type: 1,
      name: 'start',
      description: 'Start a lab (your SSH key comes by direct message)',
      options: [
        { type: 3, name: 'lab', description: 'Lab id, from /lab list', required: true, max_length: 48 },
        { type: 3, name: 'version', description: 'Kubernetes version, e.g. 1.36', required: false, max_length: 5 },
      ],
    },
    { type: 1, name: 'status', description: 'Your lab and how long it has left' },
    { type: 1, name: 'extend', description: "Extend your lab by the lab's step" },
    { type: 1, name: 'stop', description: 'Release your lab (or leave the queue)' },
  ],
} as const;
