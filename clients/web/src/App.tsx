import { useEffect, useRef, useState } from "preact/hooks";
import { session, useSession } from "./lib/app";
import { afterSignIn, forgetDestination, here, href, navigate, onLinkClick, onSignInPage, rememberDestination, useFocusOnRouteChange, usePath } from "./lib/router";
import { resync, Unreachable } from "./lib/session";
import { ForgotPassword, SignIn, SignUp } from "./views/Auth";
import { takeLinkReturn } from "./views/OutsideSignIns";
import { Communities } from "./views/Communities";
import { Companion } from "./views/Companion";
import { Courses } from "./views/Courses";
import { Events } from "./views/Events";
import { Home } from "./views/Home";
import { Messages } from "./views/Messages";
import { Moderation } from "./views/Moderation";
import { Notifications } from "./views/Notifications";
import { People } from "./views/People";
import { Profile } from "./views/Profile";
import { Waitlist } from "./views/Waitlist";

const sections = [
  ["/home", "Home"],
  ["/communities", "Communities"],
  ["/messages", "Messages"],
  ["/events", "Events"],
  ["/courses", "Courses"],
  ["/people", "People"],
  ["/companion", "Companion"],
  ["/notifications", "Notifications"],
  ["/moderation", "Moderation"],
] as const;

/**
 * Signs out of one's own accord: the next sign-in starts at home, and the tab goes to the sign-in page, unless the
 * person went elsewhere before identity answered (the session ended meanwhile, its sign-in page shown, and they went
 * on to "Forgot your password?" or the waitlist) or another account signed in meanwhile.
 */
function signOut(): void {
  const from = here();
  void session.signOut().then(() => {
    forgetDestination();
    if (!session.user) from.navigate("/signin", true);
  });
}

/** The sections the signed-in person's role opens: moderation is for admins. */
const sectionsFor = (role: string) => sections.filter(([p]) => p !== "/moderation" || role === "admin");

export function App() {
  useSession();
  const path = usePath();
  useFocusOnRouteChange(path);
  const signedIn = session.user !== null;
  // whose session this tab last had: a page kept when it ends is theirs alone to come back to
  const lastUser = useRef<string | null>(null);
  if (session.user) lastUser.current = session.user.id;

  useEffect(() => {
    if (path === "/waitlist") return; // open to everyone, signed in or not
    const auth = onSignInPage(path);
    if (!signedIn && !auth) {
      // a link or bookmark opened signed out (a new tab has no session), or a session that ended here: there once
      // signed in (the same account only, for a session that ended); not after signing out of one's own accord, even
      // from a page the person went on to before identity answered (the next sign-in starts at home)
      if (!session.endedByOwner) rememberDestination(lastUser.current);
      navigate("/signin", true);
    }
    // the way back from linking an outside provider, started on the profile: taken there
    if (signedIn && path === "/signed-in" && takeLinkReturn()) return navigate("/profile", true);
    if (signedIn && auth) afterSignIn(session.user!.id);
  }, [signedIn, path]);

  useEffect(() => {
    const name = path.startsWith("/profile") ? "Your profile" : (sections.find(([p]) => path.startsWith(p))?.[1] ?? "Home");
    if (path === "/waitlist") document.title = "The waitlist · Community";
    else document.title = signedIn ? `${name} · Community` : path === "/signup" ? "Create an account · Community" : path === "/forgot" ? "Forgot your password? · Community" : "Sign in · Community";
  }, [path, signedIn]);

  if (path === "/waitlist")
    return (
      <div onClick={onLinkClick}>
        <Waitlist />
      </div>
    );
  if (!signedIn) return <div onClick={onLinkClick}>{path === "/signup" ? <SignUp /> : path === "/forgot" ? <ForgotPassword /> : <SignIn />}</div>;
  return <Shell path={path} />;
}

function Shell({ path }: { path: string }) {
  const parts = path.split("/").filter(Boolean);
  const [section = "home", first, second] = parts;
  const badges = useBadges();
  return (
    <div class="shell" onClick={onLinkClick}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href("/")}>
          Community
        </a>
        <nav aria-label="Main">
          <ul>
            {sectionsFor(session.user!.role).map(([p, name]) => {
              const counted = name === "Messages" ? "messages" : name === "Notifications" ? "notifications" : null;
              const count = counted ? badges[counted] : 0;
              return (
                <li key={p}>
                  <a href={href(p)} aria-current={`/${section}` === p ? "page" : undefined}>
                    {name}
                  </a>
                  {counted && (
                    // the region is there from the start, so a count that appears in it is announced
                    <span role="status">
                      {count > 0 && (
                        <span class="badge">
                          <span aria-hidden="true">{count > 99 ? "99+" : count}</span>
                          <span class="visually-hidden">{`${count} unread ${count === 1 ? counted.slice(0, -1) : counted}`}</span>
                        </span>
                      )}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </nav>
        <div class="me">
          <span class="meta">@{session.user!.username}</span>
          <a class="small" href={href("/profile")} aria-current={section === "profile" ? "page" : undefined}>
            Your profile
          </a>
          <button type="button" class="small secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <h1 class="visually-hidden">{section === "profile" ? "Your profile" : (sections.find(([p]) => p === `/${section}`)?.[1] ?? "Home")}</h1>
        {section === "home" ? (
          <Home />
        ) : section === "profile" ? (
          <Profile />
        ) : section === "messages" ? (
          <Messages conversationId={first} />
        ) : section === "events" ? (
          <Events eventId={first} />
        ) : section === "courses" ? (
          <Courses courseId={first} />
        ) : section === "people" ? (
          <People userId={first} />
        ) : section === "companion" ? (
          <Companion />
        ) : section === "notifications" ? (
          <Notifications />
        ) : section === "moderation" && session.user!.role === "admin" ? (
          <Moderation />
        ) : (
          <Communities groupId={section === "communities" ? first : undefined} threadId={section === "communities" ? second : undefined} />
        )}
      </main>
    </div>
  );
}

/** Unread messages and notifications, kept live by the hub (new_message, read, notification), and loaded again when it reconnects. */
function useBadges(): { messages: number; notifications: number } {
  const [counts, setCounts] = useState({ messages: 0, notifications: 0 });
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let asked = 0;
    const load = async () => {
      const mine = ++asked;
      try {
        const [m, n] = await Promise.all([
          session.api.messaging.GET("/api/v1/messages/unread-count"),
          session.api.messaging.GET("/api/v1/notifications/unread-count"),
        ]);
        // an older answer arriving after a newer one is not shown over it
        if (mine !== asked) return;
        // a count that failed to load keeps the one shown (a failure is not zero)
        setCounts((shown) => ({
          messages: m.data ? (m.data.by_kind?.direct ?? 0) : shown.messages,
          notifications: n.data ? n.data.total : shown.notifications,
        }));
      } catch (e) {
        // no answer: the badges keep their counts until the next change loads them again
        if (!(e instanceof Unreachable)) throw e;
      }
    };
    const soon = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 500);
    };
    void load();
    const hub = session.hub();
    const offs = [hub?.on("new_message", soon), hub?.on("read", soon), hub?.on("notification", soon)];
    addEventListener("community:unread-changed", soon);
    // what the hub pushed while it was away is lost: the counts are asked for again
    addEventListener(resync, soon);
    return () => {
      clearTimeout(timer);
      offs.forEach((off) => off?.());
      removeEventListener("community:unread-changed", soon);
      removeEventListener(resync, soon);
    };
  }, []);
  return counts;
}
