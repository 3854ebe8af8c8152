import { useId } from "preact/hooks";

/**
 * What an upload takes, as the service that receives it checks it: its formats (the input's `accept`), its limit, and
 * the words a refusal and the hint beside the input use. Checked here first, so a wrong file is said at once and not sent.
 */
export interface FileRule {
  accept: string;
  maxBytes: number;
  /** how a refusal starts: "Choose", "Attach" */
  verb: string;
  /** the formats with their article, as a refusal names them: "a JPEG, PNG or WebP picture" */
  kind: string;
  /** what is chosen, with its article: "a picture" */
  noun: string;
  /** the formats as the hint names them: "JPEG, PNG or WebP" */
  formats: string;
}

const images = "image/jpeg,image/png,image/webp";
const megabytes = (n: number) => n * 1024 * 1024;

/** Identity's profile picture (it re-encodes what it accepts). */
export const pictureRule: FileRule = { accept: images, maxBytes: megabytes(2), verb: "Choose", kind: "a JPEG, PNG or WebP picture", noun: "a picture", formats: "JPEG, PNG or WebP" };
/** Events' photos (it re-encodes what it accepts). */
export const photoRule: FileRule = { ...pictureRule, maxBytes: megabytes(10), kind: "a JPEG, PNG or WebP photo", noun: "a photo" };
/** An event's cover (events re-encodes what it accepts). */
export const coverRule: FileRule = { ...pictureRule, maxBytes: megabytes(5), kind: "a JPEG, PNG or WebP image", noun: "an image" };
/** What a message may carry: messaging's formats (judged by content) and its limit. */
export const attachmentRule: FileRule = {
  accept: `${images},application/pdf`,
  maxBytes: megabytes(10),
  verb: "Attach",
  kind: "a JPEG, PNG or WebP image, or a PDF",
  noun: "a file",
  formats: "JPEG, PNG or WebP images and PDFs",
};

/** A size in words: "2 kB", "1.5 MB", "10 MB". */
export function fileSize(bytes: number): string {
  if (bytes < megabytes(1)) return `${Math.max(1, Math.round(bytes / 1024))} kB`;
  const mb = bytes / megabytes(1);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** Why the file would be refused, or null when the service would take it (as far as its type and size tell). */
export function fileRefusal(file: File, rule: FileRule): string | null {
  if (!rule.accept.split(",").includes(file.type)) return `${rule.verb} ${rule.kind}.`;
  if (file.size > rule.maxBytes) return `${rule.verb} ${rule.noun} of at most ${fileSize(rule.maxBytes)}.`;
  return null;
}

/** The hint beside the input: "JPEG, PNG or WebP, at most 2 MB." */
export const fileHint = (rule: FileRule) => `${rule.formats}, at most ${fileSize(rule.maxBytes)}.`;

/**
 * A file input inside its label ("Choose a picture"), with the rule's formats and limit as its hint. The file chosen
 * goes to `chosen`, and the input is emptied, so the same file may be chosen again after a refusal.
 */
export function ChooseFile({ label, rule, busy, chosen, small = false }: { label: string; rule: FileRule; busy: boolean; chosen: (file: File) => void; small?: boolean }) {
  const hint = useId();
  return (
    <>
      <label class={small ? "file small" : "file"}>
        {label}
        <input
          type="file"
          accept={rule.accept}
          disabled={busy}
          aria-describedby={hint}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = "";
            if (file) chosen(file);
          }}
        />
      </label>{" "}
      <span class="hint" id={hint}>
        {fileHint(rule)}
      </span>
    </>
  );
}
