import { cleanup, render, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it } from "vitest";
import { Banner, Failure } from "./said";

afterEach(cleanup);

describe("Banner", () => {
  it("is a live region while it has nothing to say, and the same one says the words that come", () => {
    const { rerender } = render(<Banner text={null} />);
    const region = screen.getByRole("status");
    expect(region.textContent).toBe("");
    rerender(<Banner text="Your profile is saved." />);
    expect(screen.getByRole("status")).toBe(region);
    expect(region.textContent).toBe("Your profile is saved.");
    rerender(<Banner text={undefined} />);
    expect(region.isConnected).toBe(true);
    expect(region.textContent).toBe("");
  });
});

describe("Failure", () => {
  it("is an alert with the platform's words, and nothing without them", () => {
    const { rerender, container } = render(<Failure text={null} />);
    expect(container.innerHTML).toBe("");
    rerender(<Failure text="The title is required." />);
    expect(screen.getByRole("alert").textContent).toBe("The title is required.");
  });
});
