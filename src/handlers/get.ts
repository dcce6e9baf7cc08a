// Placeholder: the real handler is being written; it keeps this file name and the `handler` export.
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 501,
  body: '',
});
