import type { events } from "@community/sdk";
import { useState } from "preact/hooks";
import { attempt, formatPrice, newTxnId, session, submitted } from "../lib/app";
import { openCheckout } from "../lib/checkout";
import { HeadWithNew } from "../lib/heading";
import { ListState, LoadFailed, ShowMore, useAskingAgain, useList, useLoad } from "../lib/list";
import { here, href } from "../lib/router";
import { askedUntilReady, problemText, settled } from "../lib/session";
import { Banner, Failure } from "../lib/said";
import { fromMinorUnits, priceStep, toMinorUnits } from "../lib/money";

type Summary = events.components["schemas"]["CourseSummaryDto"];
type Course = events.components["schemas"]["CourseDto"];
type Module = events.components["schemas"]["ModuleInput"];
/** What a paid course's 402 carries: the pending enrollment and how it can be paid. */
type Unpaid = events.components["schemas"]["CoursePaymentDue"];

export function Courses({ courseId }: { courseId?: string }) {
  return <div class="page">{courseId ? <CourseDetail key={courseId} id={courseId} /> : <CourseList />}</div>;
}

function price(course: Pick<Summary, "is_free" | "price_cents" | "currency" | "price_credits">): string {
  if (course.is_free) return "Free";
  const money = course.price_cents > 0 ? formatPrice(course.price_cents, course.currency) : null;
  const credits = course.price_credits ? `${course.price_credits} credits` : null;
  return [money, credits].filter(Boolean).join(" or ");
}

function CourseList() {
  const [category, setCategory] = useState("");
  const [creating, setCreating] = useState(false);
  const courses = useList<Summary>((at) => session.api.events.GET("/api/v1/courses", { params: { query: { category: category || undefined, limit: 50, ...at } } }), [category]);

  return (
    <section aria-labelledby="courses-heading">
      <HeadWithNew id="courses-heading" title="Courses" label="New course" open={creating} toggle={() => setCreating(!creating)} />
      {creating && <CourseForm />}
      <form
        class="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setCategory(String(new FormData(e.currentTarget).get("category")).trim().toLowerCase());
        }}
      >
        <label class="visually-hidden" for="course-category">
          Category
        </label>
        <input id="course-category" name="category" placeholder="Category (wellness, languages…)" maxLength={50} />
        <button type="submit" class="secondary">
          Search
        </button>
      </form>
      <LoadFailed what="Courses" loaded={courses} />
      <ListState list={courses} empty={category ? `No course in ${category} yet.` : "No course yet."} />
      {courses.value && courses.value.length > 0 && (
        <ul class="grid" aria-label="Courses">
          {courses.value.map((c) => (
            <li key={c.id}>
              {c.image_url && <img class="thumb" src={c.image_url} alt="" loading="lazy" />}
              <a href={href(`/courses/${c.id}`)}>
                <strong>{c.title}</strong>
              </a>
              <p class="meta">
                {c.category} · {c.total_modules} {c.total_modules === 1 ? "module" : "modules"} · {c.total_duration_minutes} min · {price(c)}
              </p>
            </li>
          ))}
        </ul>
      )}
      <ShowMore what="courses" list={courses} />
    </section>
  );
}

/** A course as the page holds it, with the version it was loaded at (its ETag), which an edit is made against. */
type Held = { course: Course; etag: string | null };

/**
 * An organizer's course form: a new course, or (given `held`) the changes to one. Its modules are in order, each with
 * a title, a length and what learners read; an edited module keeps its id (and its learners' progress). An edit sends
 * only what changed (JSON merge; the modules whole when any of them changed) against the version loaded (If-Match): a
 * change made meanwhile elsewhere is refused (412), and `stale` says so and loads the course again.
 */
function CourseForm({ held, saved, stale }: { held?: Held; saved?: (held: Held) => void; stale?: () => void }) {
  const course = held?.course;
  const [error, setError] = useState<string | null>(null);
  const [modules, setModules] = useState(() => course?.modules.map((m) => m.id) ?? [newTxnId()]);
  const existing = new Map(course?.modules.map((m) => [m.id, m]) ?? []);
  // the price's currency as typed: the price takes as many decimals as it has
  const [currency, setCurrency] = useState(course?.currency ?? "EUR");
  return (
    <form
      class="card"
      aria-label={course ? "Edit the course" : "New course"}
      onSubmit={submitted(setError, async (form, key) => {
        const from = here();
        const text = (name: string) => String(form.get(name) ?? "").trim();
        const typed = toMinorUnits(text("price"), text("currency"));
        if ("error" in typed) return setError(typed.error);
        const cents = typed.minor;
        const credits = text("price_credits");
        const body = {
          title: text("title"),
          description: text("description") || null,
          category: text("category"),
          image_url: text("image_url") || null,
          price_cents: cents,
          currency: cents > 0 ? text("currency").toUpperCase() || null : null,
          price_credits: credits ? Number(credits) : null,
          modules: modules.map(
            (m): Module => ({
              ...(existing.has(m) ? { id: m, video_url: existing.get(m)!.video_url ?? null } : {}),
              title: text(`title-${m}`),
              duration_minutes: Number(text(`minutes-${m}`)),
              content: text(`content-${m}`) || null,
            }),
          ),
        };
        if (!course) {
          const { data, error, response } = await session.api.events.POST("/api/v1/courses", { params: { header: { "Idempotency-Key": key } }, body });
          if (data) from.navigate(`/courses/${data.id}`);
          else setError(problemText(error, response, "The course could not be created."));
          return settled(response);
        }
        const changes = changesTo(course, body);
        if (Object.keys(changes).length === 0) return void saved?.(held!);
        const { data, error, response } = await session.api.events.PATCH("/api/v1/courses/{id}", {
          params: { path: { id: course.id }, header: { "If-Match": held!.etag ?? "*" } },
          body: changes,
        });
        if (data) saved?.({ course: data, etag: response.headers.get("ETag") });
        else if (response.status === 412) stale?.();
        else setError(problemText(error, response, "The course could not be saved."));
        return settled(response);
      })}
    >
      <label>
        Title
        <input name="title" required minLength={3} maxLength={120} defaultValue={course?.title} />
      </label>
      <label>
        Description
        <textarea name="description" rows={3} maxLength={5000} defaultValue={course?.description ?? ""} />
      </label>
      <label>
        Category
        <input name="category" required maxLength={50} defaultValue={course?.category} />
      </label>
      <label>
        Cover image address (optional)
        <input name="image_url" type="url" maxLength={2048} placeholder="https://" defaultValue={course?.image_url ?? ""} />
      </label>
      <div class="row">
        <label>
          Price (0 for free)
          <input name="price" type="number" min={0} step={priceStep(currency)} defaultValue={String(fromMinorUnits(course?.price_cents ?? 0, course?.currency))} />
        </label>
        <label>
          Currency
          <input
            name="currency"
            minLength={3}
            maxLength={3}
            pattern="[A-Za-z]{3}"
            title="Three letters, as EUR or AED"
            defaultValue={course?.currency ?? "EUR"}
            onInput={(e) => setCurrency(e.currentTarget.value)}
          />
        </label>
      </div>
      <label>
        Price in credits (empty: not sold for credits)
        <input name="price_credits" type="number" min={1} step={1} defaultValue={course?.price_credits != null ? String(course.price_credits) : ""} />
      </label>
      {modules.map((m, i) => (
        <fieldset key={m}>
          <legend>Module {i + 1}</legend>
          <label>
            Module title
            <input name={`title-${m}`} required maxLength={200} defaultValue={existing.get(m)?.title} />
          </label>
          <label>
            Minutes
            <input name={`minutes-${m}`} type="number" required min={1} max={600} defaultValue={existing.has(m) ? String(existing.get(m)!.duration_minutes) : undefined} />
          </label>
          <label>
            What learners read
            <textarea name={`content-${m}`} rows={2} defaultValue={existing.get(m)?.content ?? ""} />
          </label>
          {modules.length > 1 && (
            <button type="button" class="small secondary" onClick={() => setModules(modules.filter((x) => x !== m))}>
              Remove module {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      <p class="row">
        {modules.length < 100 && (
          <button type="button" class="secondary" onClick={() => setModules([...modules, newTxnId()])}>
            Add a module
          </button>
        )}
        <button type="submit">{course ? "Save the course" : "Create course"}</button>
      </p>
      <Failure text={error} />
    </form>
  );
}

type CourseBody = {
  title: string;
  description: string | null;
  category: string;
  image_url: string | null;
  price_cents: number;
  currency: string | null;
  price_credits: number | null;
  modules: Module[];
};

/** What of a course the form's values change, as a JSON merge patch: each field that differs, the modules whole. */
export function changesTo(course: Course, body: CourseBody): Partial<CourseBody> {
  const changes: Partial<CourseBody> = {};
  // an empty text is none: a course without a description answers "" and its form sends null
  const none = (value: unknown) => (value === "" ? null : (value ?? null));
  for (const name of ["title", "description", "category", "image_url", "price_cents", "price_credits"] as const)
    if (none(course[name]) !== none(body[name])) (changes as Record<string, unknown>)[name] = body[name];
  // a price's currency: given when a free course gets a price, or when it changes
  if (body.price_cents > 0 && (course.price_cents === 0 || course.currency !== body.currency)) changes.currency = body.currency;
  const was = course.modules.map((m) => ({ id: m.id, video_url: m.video_url ?? null, title: m.title, duration_minutes: m.duration_minutes, content: m.content ?? null }));
  if (JSON.stringify(was) !== JSON.stringify(body.modules)) changes.modules = body.modules;
  return changes;
}

function CourseDetail({ id }: { id: string }) {
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [unpaid, setUnpaid] = useState<Unpaid | null>(null);
  const [enrolling, setEnrolling] = useState(false);
  // paid with credits: waiting for the enrollment to become active
  const [spent, setSpent] = useState(false);
  const back = new URLSearchParams(location.search).get("checkout");
  const [editing, setEditing] = useState(false);
  const loaded = useLoad<Held>(
    () =>
      session.api.events
        .GET("/api/v1/courses/{id}", { params: { path: { id } } })
        .then(({ data, ...rest }) => ({ ...rest, data: data && { course: data, etag: rest.response.headers.get("ETag") } })),
    [id],
    { keep: true },
  );
  const course = loaded.value?.course ?? null;
  const manages = course !== null && (course.organizer_id === session.user?.id || session.user?.role === "admin");
  const paid = course?.is_enrolled && course.enrollment_status === "active";
  // paid for (by card, or with credits): the enrollment becomes active a moment later, when events hears of it
  const asking = useAskingAgain(!paid && (back === "paid" || spent), loaded);

  /** Enrolls, or asks for the payment it needs; the button is off until the platform answers. */
  async function enroll() {
    setError(null);
    setEnrolling(true);
    try {
      const { data, error, response } = await session.api.events.POST("/api/v1/courses/{id}/enroll", { params: { path: { id } } });
      if (data) {
        setStatus("You are enrolled.");
        return loaded.retry();
      }
      if (response.status === 402 && "enrollment_id" in error) return setUnpaid(error);
      setError(problemText(error, response, "Enrolling failed."));
    } finally {
      setEnrolling(false);
    }
  }

  /**
   * Pays the pending enrollment with credits: a form, so a press again after no answer is the same spend. Payments
   * hears of a new enrollment a moment after the 402: until then it answers 409 with Retry-After and spends nothing,
   * so the same spend is asked again (`askedUntilReady`).
   */
  const payWithCredits = (enrollment: string) =>
    submitted(setError, async (_, key) => {
      const { data, error, response } = await askedUntilReady(() =>
        session.api.payments.POST("/api/v1/credits/spend", {
          params: { header: { "Idempotency-Key": key } },
          body: { purpose: "course", reference_id: enrollment, days: null },
        }),
      );
      if (data) {
        setUnpaid(null);
        setSpent(true);
      } else setError(problemText(error, response, "Paying with credits failed."));
      return settled(response);
    });

  // one module's mark at a time, shown as marked while it is saved: each answer is the whole progress, and one
  // answered out of order would undo another
  const [marking, setMarking] = useState<{ module: string; completed: boolean } | null>(null);
  async function progress(moduleId: string, completed: boolean) {
    setError(null);
    setMarking({ module: moduleId, completed });
    try {
      const { data, error, response } = await session.api.events.POST("/api/v1/courses/{id}/progress", { params: { path: { id } }, body: { module_id: moduleId, completed } });
      if (data) loaded.update((held) => ({ ...held, course: { ...held.course, user_progress: data } }));
      else setError(problemText(error, response, "Your progress could not be saved."));
    } finally {
      setMarking(null);
    }
  }

  /** Deletes a course nobody enrolled in; the platform withdraws one that has learners (they keep it). */
  async function remove() {
    if (!confirm("Delete this course? If anyone has enrolled, it is withdrawn instead: its learners keep it, and unpaid enrollments end.")) return;
    setError(null);
    const from = here();
    const { error, response } = await session.api.events.DELETE("/api/v1/courses/{id}", { params: { path: { id } } });
    if (response.ok) from.navigate("/courses");
    else setError(problemText(error, response, "The course could not be deleted."));
  }

  if (!course)
    return (
      <section>{loaded.failed === null ? <p role="status">Loading…</p> : <LoadFailed what="This course" loaded={loaded} />}</section>
    );
  const done = new Set(course.user_progress?.completed_modules ?? []);
  return (
    <section aria-labelledby="course-heading">
      <a href={href("/courses")}>← Courses</a>
      <h2 id="course-heading">{course.title}</h2>
      <p class="meta">
        {course.category} · {course.total_modules} {course.total_modules === 1 ? "module" : "modules"} · {course.total_duration_minutes} min · {price(course)}
      </p>
      {course.image_url && <img class="cover" src={course.image_url} alt="" />}
      {course.description && <p>{course.description}</p>}
      {manages && !course.withdrawn_at && (
        <p class="row">
          <button type="button" class="secondary" aria-expanded={editing} onClick={() => setEditing(!editing)}>
            Edit the course
          </button>
          <button type="button" class="secondary" onClick={() => void attempt(setError, remove)}>
            Delete the course
          </button>
        </p>
      )}
      {course.withdrawn_at && (
        <p class={manages ? "meta" : "notice"}>
          {manages ? "Withdrawn: its learners keep it; nobody new can enroll." : paid ? "This course is withdrawn: you keep it." : "This course is withdrawn: nobody new can enroll."}
        </p>
      )}
      {editing && (
        <CourseForm
          key={loaded.value!.etag ?? course.updated_at}
          held={loaded.value!}
          saved={(held) => {
            setEditing(false);
            setStatus("The course is saved.");
            loaded.update(() => held);
          }}
          stale={() => {
            setError("This course was changed elsewhere (another tab or device) since the page loaded, so nothing was saved. It is loaded again: make your changes once more.");
            loaded.retry();
          }}
        />
      )}
      <LoadFailed what="This course" loaded={loaded} />
      <Banner
        text={
          asking === "asking"
            ? spent
              ? "Paid with credits: opening the course…"
              : "Payment received: opening the course…"
            : (status ??
              (asking === "gave up"
                ? "Your payment is still being confirmed: reload this page in a moment."
                : back === "cancelled" && !paid
                  ? "The checkout was cancelled: you are not charged."
                  : null))
        }
      />
      <Failure text={error} />
      {paid && course.user_progress && (
        <p>
          <label class="inline">
            Your progress
            <progress max={100} value={course.user_progress.progress}>
              {course.user_progress.progress}%
            </progress>
          </label>{" "}
          {course.user_progress.progress}% complete
        </p>
      )}
      {!paid && asking !== "asking" && !unpaid && !course.withdrawn_at && (
        <p class="row">
          <button type="button" disabled={enrolling} onClick={() => void attempt(setError, enroll)}>
            {course.enrollment_status === "pending_payment" ? "Pay to start" : course.is_free ? "Enroll" : `Enroll (${price(course)})`}
          </button>
        </p>
      )}
      {unpaid && (
        <div class="card" aria-labelledby="pay-heading">
          <h3 id="pay-heading">Pay for this course</h3>
          <div class="row">
            {unpaid.payment_methods.includes("money") && (
              <button type="button" onClick={() => void attempt(setError, async () => setError(await openCheckout(unpaid.checkout.purpose, unpaid.checkout.reference_id, `/courses/${id}`)))}>
                Pay {formatPrice(unpaid.price_cents, unpaid.currency)} by card
              </button>
            )}
            {unpaid.payment_methods.includes("credits") && unpaid.price_credits && (
              <form onSubmit={payWithCredits(unpaid.enrollment_id)}>
                <button type="submit" class="secondary">
                  Pay {unpaid.price_credits} credits
                </button>
              </form>
            )}
          </div>
        </div>
      )}
      <ol class="modules" aria-label="Modules">
        {course.modules.map((m) => (
          <li key={m.id}>
            <strong>{m.title}</strong> <span class="meta">· {m.duration_minutes} min</span>
            {paid && m.content && <p>{m.content}</p>}
            {paid && (
              <label class="check">
                <input type="checkbox" aria-label={`Completed: ${m.title}`} checked={marking?.module === m.id ? marking.completed : done.has(m.id)} disabled={marking !== null} onChange={(e) => void attempt(setError, () => progress(m.id, e.currentTarget.checked))} /> Completed
              </label>
            )}
          </li>
        ))}
      </ol>
      {course.content_locked && !paid && <p class="meta">Enroll to read the modules.</p>}
    </section>
  );
}
