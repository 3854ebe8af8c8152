import { cleanup, fireEvent, render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signedIn, stubPlatform } from "../lib/testing";
import { FindAnything } from "./FindAnything";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedIn(null);
});

const find = (q: string, type = "") => {
  fireEvent.input(screen.getByLabelText("What you are looking for"), { target: { value: q } });
  fireEvent.change(screen.getByLabelText("Among"), { target: { value: type } });
  fireEvent.submit(screen.getByRole("search", { name: "Find anything" }));
};

describe("FindAnything", () => {
  it("finds people, communities and events, best first, each leading to its page", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(() => ({
      status: 200,
      body: {
        mode: "full_text",
        items: [
          { type: "events", id: "e1", title: "Sunrise yoga", snippet: "An hour of yoga on the beach", score: 0.9 },
          { type: "groups", id: "g1", title: "Beach people", snippet: "", score: 0.5 },
          { type: "people", id: "u1", title: "Olga", snippet: "Yoga teacher", score: 0.4 },
        ],
      },
    }));
    render(<FindAnything />);
    find(" yoga by the sea ");
    await screen.findByRole("link", { name: /Sunrise yoga/ });
    const found = screen.getByRole("list", { name: "Found" });
    expect([...found.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href")?.replace(/^.*\/app/, "")])).toEqual([
      ["Sunrise yogaEvent · An hour of yoga on the beach", "/events/e1"],
      ["Beach peopleCommunity", "/communities/g1"],
      ["OlgaPerson · Yoga teacher", "/people/u1"],
    ]);
    expect(screen.getByText("Best matches of your words first.")).toBeTruthy();
    expect(asked[0]!.url.searchParams.get("q")).toBe("yoga by the sea");
    expect(asked[0]!.url.searchParams.has("type")).toBe(false);
  });

  it("asks for one kind when chosen, and says when nothing matches", async () => {
    signedIn({ id: "me", role: "member" });
    const asked = stubPlatform(() => ({ status: 200, body: { mode: "embeddings", items: [] } }));
    render(<FindAnything />);
    find("chess", "groups");
    await screen.findByText("Nothing found for “chess”.");
    expect(asked[0]!.url.searchParams.get("type")).toBe("groups");
  });
});
