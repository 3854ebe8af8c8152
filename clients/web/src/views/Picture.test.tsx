import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { Avatar } from "../lib/picture";
import { ProfilePicture } from "./Picture";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

type User = Parameters<typeof ProfilePicture>[0]["user"];
const user = { id: "u1", username: "amira", profile_image_url: null } as unknown as User;

/** Identity as the picture meets it: uploads recorded (their file and If-Match in `request`), answered `status`. */
function identity(status: number) {
  return stubPlatform(() =>
    status === 200 ? { status, body: { ...user, profile_image_url: "/api/v1/users/u1/picture" }, headers: { ETag: '"8"' } } : { status, body: { title: "Refused", status, detail: "Profile changed." } },
  );
}

const choose = (file: File) => fireEvent.change(screen.getByLabelText("Choose a picture"), { target: { files: [file] } });

describe("ProfilePicture", () => {
  it("sends the chosen picture as the form's file against the version loaded, and gives the new version", async () => {
    const sent = identity(200);
    const changed = vi.fn();
    render(<ProfilePicture user={user} etag={'"7"'} changed={changed} />);
    choose(new File([new Uint8Array([137, 80, 78, 71])], "me.png", { type: "image/png" }));
    await waitFor(() => expect(changed).toHaveBeenCalledOnce());
    expect(sent).toHaveLength(1);
    expect(sent[0]!.request.headers.get("If-Match")).toBe('"7"');
    const file = (await sent[0]!.request.formData()).get("file") as File | null;
    expect(file?.name).toBe("me.png");
    expect(file?.size).toBe(4);
    expect(changed.mock.calls[0]).toEqual([expect.objectContaining({ profile_image_url: "/api/v1/users/u1/picture" }), '"8"']);
  });

  it("refuses what identity would refuse before sending it: another format, over 2 MB", async () => {
    const sent = identity(200);
    render(<ProfilePicture user={user} etag={'"7"'} changed={vi.fn()} />);
    choose(new File(["GIF89a"], "me.gif", { type: "image/gif" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Choose a JPEG, PNG or WebP picture.");
    choose(new File([new Uint8Array(2 * 1024 * 1024 + 1)], "big.jpg", { type: "image/jpeg" }));
    await screen.findByText("Choose a picture of at most 2 MB.");
    expect(sent).toHaveLength(0);
  });

  it("asks for the profile again when it changed elsewhere (412), and says so", async () => {
    identity(412);
    const changed = vi.fn();
    render(<ProfilePicture user={user} etag={'"7"'} changed={changed} />);
    choose(new File([new Uint8Array([1])], "me.webp", { type: "image/webp" }));
    await screen.findByText(/Your profile was changed elsewhere/);
    expect(changed).toHaveBeenCalledWith(null, null);
  });
});

describe("Avatar: another member's picture beside their name", () => {
  it("asks identity for an uploaded one with the session's token and shows it from the bytes", async () => {
    signedIn({ id: "me", role: "member" }, "t0k");
    const asked = stubPlatform(() => new Response(new Uint8Array([137, 80, 78, 71]), { status: 200, headers: { "Content-Type": "image/png" } }));
    render(<Avatar userId="u2" url="/api/v1/users/u2/picture" name="Bilal" label="Picture of Bilal" large />);
    const picture = (await screen.findByRole("img", { name: "Picture of Bilal" })) as HTMLImageElement;
    expect(picture.src).toMatch(/^blob:/);
    expect(asked.map(({ path, request }) => ({ path, authorization: request.headers.get("Authorization") }))).toEqual([{ path: "/api/v1/users/u2/picture", authorization: "Bearer t0k" }]);
    signedIn(null);
  });

  it("shows a linked one from its address, asking nothing, and the initial when there is none", () => {
    const fetched = vi.fn();
    vi.stubGlobal("fetch", fetched);
    const { container } = render(
      <>
        <Avatar userId="u3" url="https://pictures.example/cara.jpg" name="Cara" />
        <Avatar userId="u4" url={null} name="dina" />
      </>,
    );
    expect(container.querySelector("img")?.getAttribute("src")).toBe("https://pictures.example/cara.jpg");
    expect(container.querySelector("img")?.getAttribute("alt")).toBe("");
    expect(container.querySelector(".initial")?.textContent).toBe("D");
    expect(fetched).not.toHaveBeenCalled();
  });

  it("asks once for a picture shown many times (beside each of a person's messages), and again after a failed ask", async () => {
    signedIn({ id: "me", role: "member" });
    let answers = [503, 200];
    const asked = stubPlatform(() => {
      const status = answers.shift() ?? 200;
      return status === 200 ? new Response(new Uint8Array([137, 80, 78, 71]), { status, headers: { "Content-Type": "image/png" } }) : { status, body: { title: "Unavailable", status } };
    });
    const first = render(<Avatar userId="u5" url="/api/v1/users/u5/picture" name="Ema" label="Ema" />);
    await waitFor(() => expect(asked).toHaveLength(1));
    expect(first.container.querySelector("img")).toBeNull();
    first.unmount();

    const { container } = render(
      <>
        {[1, 2, 3].map((i) => (
          <Avatar key={i} userId="u5" url="/api/v1/users/u5/picture" name="Ema" label={`Ema ${i}`} />
        ))}
      </>,
    );
    await waitFor(() => expect(container.querySelectorAll("img")).toHaveLength(3));
    expect(asked).toHaveLength(2);
    signedIn(null);
  });

  it("shows one's own replaced upload at once: the same address, a new profile version", async () => {
    signedIn({ id: "u6", role: "member" });
    let bytes = 1;
    stubPlatform(() => new Response(new Uint8Array(bytes++), { status: 200, headers: { "Content-Type": "image/png" } }));
    const mine = { ...user, id: "u6", profile_image_url: "/api/v1/users/u6/picture" } as User;
    const { rerender } = render(<ProfilePicture user={mine} etag={'"1"'} changed={vi.fn()} />);
    const shown = async () => ((await screen.findByRole("img", { name: "Your profile picture" })) as HTMLImageElement).src;
    const before = await shown();
    rerender(<ProfilePicture user={mine} etag={'"2"'} changed={vi.fn()} />);
    await waitFor(async () => expect(await shown()).not.toBe(before));
    expect(bytes).toBe(3);
    signedIn(null);
  });
});
