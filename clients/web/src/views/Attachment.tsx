import type { messaging } from "@community/sdk";
import { multipart } from "@community/sdk";
import { useState } from "preact/hooks";
import { newTxnId, saveFile, session } from "../lib/app";
import { useShownImage } from "../lib/picture";
import { attachmentRule, fileRefusal, fileSize } from "../lib/file";
import { problemText, settled } from "../lib/session";

export type Attachment = messaging.components["schemas"]["AttachmentDto"];

/** The file's bytes, asked for with the session's token (members of the conversation only, once it is sent). */
const bytesOf = (conversationId: string, attachment: Attachment) => () =>
  session.api.messaging.GET("/api/v1/conversations/{id}/attachments/{attachment_id}/content", {
    params: { path: { id: conversationId, attachment_id: attachment.id } },
    parseAs: "blob",
  });

/**
 * The key of each file whose upload got no settled answer: attached again, it is the same upload (stored once, not
 * twice); another file, or one attached again after a settled answer, gets a new key.
 */
const unsettledUploads = new Map<string, string>();

/**
 * Uploads a file for a message of the conversation, checked here first (format, size) as messaging checks it: the
 * attachment, or what to say. Until it is sent, only its uploader may read it.
 */
export async function upload(conversationId: string, file: File): Promise<{ attachment?: Attachment; refused?: string }> {
  const refused = fileRefusal(file, attachmentRule);
  if (refused) return { refused };
  // chosen again from the picker, the same file is another File: known by what the picker tells of it
  const chosen = JSON.stringify([conversationId, file.name, file.size, file.type, file.lastModified]);
  const key = unsettledUploads.get(chosen) ?? newTxnId();
  unsettledUploads.set(chosen, key);
  const { data, error, response } = await session.api.messaging.POST("/api/v1/conversations/{id}/attachments", {
    params: { path: { id: conversationId }, header: { "Idempotency-Key": key } },
    body: { file },
    bodySerializer: multipart,
  });
  if (settled(response)) unsettledUploads.delete(chosen);
  return data ? { attachment: data } : { refused: problemText(error, response, "The file was not attached.") };
}

/** A file a message carries: an image shown from its bytes, any other file downloaded under its name. */
export function AttachmentView({ conversationId, attachment }: { conversationId: string; attachment: Attachment }) {
  const image = attachment.content_type.startsWith("image/");
  const shown = useShownImage(image ? attachment.url : null, bytesOf(conversationId, attachment));
  const [failed, setFailed] = useState(false);
  const name = attachment.file_name ?? (image ? "An image" : "A file");
  if (image) return shown ? <img class="attachment" src={shown} alt={name} /> : <span class="meta">{name} ({fileSize(attachment.size_bytes)})</span>;

  async function download() {
    setFailed(false);
    const { data } = await bytesOf(conversationId, attachment)().catch(() => ({ data: undefined }));
    if (!data) return setFailed(true);
    saveFile(data, name);
  }
  return (
    <span>
      <button type="button" class="link" onClick={() => void download()}>
        {name} ({fileSize(attachment.size_bytes)})
      </button>
      {failed && <span class="error"> It could not be downloaded.</span>}
    </span>
  );
}
