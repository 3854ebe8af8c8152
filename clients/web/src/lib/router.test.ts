import { afterEach, describe, expect, it } from "vitest";
import { here, navigate, onLinkClick } from "./router";

afterEach(() => {
  document.body.innerHTML = "";
  history.replaceState(null, "", "/");
});

/** Clicks `anchor` as a plain left click, through onLinkClick as the shell listens; says whether it was taken over. */
function click(anchor: HTMLAnchorElement): boolean {
  document.body.append(anchor);
  const event = new MouseEvent("click", { bubbles: true, cancelable: true, button: 0 });
  anchor.addEventListener("click", (e) => onLinkClick(e));
  anchor.dispatchEvent(event);
  return event.defaultPrevented;
}

function link(href: string): HTMLAnchorElement {
  const anchor = document.createElement("a");
  anchor.href = href;
  anchor.textContent = href;
  return anchor;
}

describe("in-app links", () => {
  it("leave a place on the same page (Skip to content) to the browser", () => {
    history.replaceState(null, "", "/app/communities?tab=mine");
    expect(click(link("#main"))).toBe(false);
    expect(location.pathname + location.search).toBe("/app/communities?tab=mine");
  });

  it("go to another page without a reload, its fragment kept", () => {
    history.replaceState(null, "", "/app/communities");
    expect(click(link("/app/events/e1#photos"))).toBe(true);
    expect(location.pathname + location.hash).toBe("/app/events/e1#photos");
  });
});

describe("an action's place", () => {
  it("is still there until the person leaves, and not once they come back to the same page", () => {
    history.replaceState(null, "", "/app/events/e1?checkout=paid");
    const from = here();
    expect(from.still()).toBe(true);
    navigate("/communities");
    expect(from.still()).toBe(false);
    navigate("/events/e1?checkout=paid");
    expect(from.still()).toBe(false);
    from.navigate("/events/e2");
    expect(location.pathname).toBe("/app/events/e1");
    const again = here();
    again.navigate("/events/e2");
    expect(location.pathname).toBe("/app/events/e2");
  });

  it("is still there after a route change that keeps the page: Skip to content, the link of the page one is on", () => {
    history.replaceState(null, "", "/app/events");
    const from = here();
    history.pushState(null, "", "/app/events#main");
    dispatchEvent(new PopStateEvent("popstate"));
    navigate("/events");
    expect(from.still()).toBe(true);
    from.navigate("/events/e3");
    expect(location.pathname).toBe("/app/events/e3");
  });
});
