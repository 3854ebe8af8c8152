import { describe, expect, it } from "vitest";
import { attachmentRule, fileHint, fileRefusal, fileSize, photoRule, pictureRule } from "./file";

const file = (bytes: number, type: string) => new File([new Uint8Array(bytes)], "f", { type });

describe("file rules", () => {
  it("say a size as people read it", () => {
    expect(fileSize(10)).toBe("1 kB");
    expect(fileSize(2048)).toBe("2 kB");
    expect(fileSize(1.5 * 1024 * 1024)).toBe("1.5 MB");
    expect(fileSize(10 * 1024 * 1024)).toBe("10 MB");
  });

  it("take what the service takes, up to its limit and no further", () => {
    expect(fileRefusal(file(2 * 1024 * 1024, "image/webp"), pictureRule)).toBeNull();
    expect(fileRefusal(file(2 * 1024 * 1024 + 1, "image/webp"), pictureRule)).toBe("Choose a picture of at most 2 MB.");
    expect(fileRefusal(file(3 * 1024 * 1024, "image/png"), photoRule)).toBeNull();
    expect(fileRefusal(file(10, "application/pdf"), photoRule)).toBe("Choose a JPEG, PNG or WebP photo.");
    expect(fileRefusal(file(10, "application/pdf"), attachmentRule)).toBeNull();
    expect(fileRefusal(file(10, "image/gif"), attachmentRule)).toBe("Attach a JPEG, PNG or WebP image, or a PDF.");
  });

  it("name the formats and the limit beside the input", () => {
    expect(fileHint(pictureRule)).toBe("JPEG, PNG or WebP, at most 2 MB.");
    expect(fileHint(photoRule)).toBe("JPEG, PNG or WebP, at most 10 MB.");
  });
});
