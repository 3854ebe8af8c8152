import { cleanup, render, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Avatar } from "./picture";
import { signedIn, stubPlatform } from "./testing";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

describe("pictures", () => {
  it("asks once a minute for a picture, and never shows one account's answer to the next one signed in", async () => {
    URL.createObjectURL = () => "blob:picture";
    URL.revokeObjectURL = () => undefined;
    const asked = stubPlatform(({ path }) =>
      path === "/api/v1/users/olga/picture" ? new Response(new Blob(["bytes"]), { status: 200, headers: { "Content-Type": "image/webp" } }) : undefined,
    );
    const shown = async () => {
      const { container, unmount } = render(<Avatar userId="olga" url="/api/v1/users/olga/picture" name="Olga" />);
      await waitFor(() => expect(container.querySelector("img")).not.toBeNull());
      unmount();
    };

    signedIn({ id: "amira", role: "member" }, "amira-token");
    await shown();
    await shown();
    expect(asked.map((a) => a.request.headers.get("Authorization"))).toEqual(["Bearer amira-token"]);

    // another account on the tab within the minute: identity is asked again, with its token
    signedIn({ id: "boris", role: "member" }, "boris-token");
    await shown();
    expect(asked.map((a) => a.request.headers.get("Authorization"))).toEqual(["Bearer amira-token", "Bearer boris-token"]);
  });
});
