/**
 * Lists, as the platform answers them (README, "Lists"): every list is under `items`. A cursor-paged list adds
 * `next_cursor` (null on its last page); a numbered catalogue adds `page` and `pages` (and `next_cursor` where it
 * also pages by keyset). A conversation's messages page by sequence instead (`has_more`, `last_seq`), and the
 * bounded lists (nearby, suggestions, packs) are one answer.
 */
export interface ListPage<T> {
  items: T[];
  next_cursor?: string | null;
  page?: number;
  pages?: number;
}

/** Where the next page starts: spread it into the operation's query (a cursor, or a page number where the list is numbered). */
export interface PageAt {
  cursor?: string;
  page?: number;
}

/** A refusal (or a failure) answered while paging: the status and the problem the platform sent. */
export class PageError extends Error {
  /** The problem's request_id (every problem the platform sends has one): what to quote when reporting it. */
  readonly requestId: string | undefined;

  constructor(
    readonly status: number,
    readonly problem: unknown,
  ) {
    super(`the list answered ${status}: ${JSON.stringify(problem)}`);
    this.name = "PageError";
    const requestId = (problem as { request_id?: unknown } | null | undefined)?.request_id;
    this.requestId = typeof requestId === "string" ? requestId : undefined;
  }
}

/**
 * Every item of a list, page after page, following `next_cursor` (or the next page number of a numbered catalogue):
 *
 *     for await (const group of paginate((at) => api.social.GET("/api/v1/groups/mine", { params: { query: { limit: 50, ...at } } })))
 *
 * Stops after the last page; throws a PageError when a page is refused.
 */
export async function* paginate<Page extends ListPage<unknown>>(
  fetchPage: (at: PageAt) => Promise<{ data?: Page; error?: unknown; response: Response }>,
): AsyncGenerator<Page["items"][number], void, undefined> {
  let at: PageAt = {};
  for (;;) {
    const { data, error, response } = await fetchPage(at);
    if (data === undefined) throw new PageError(response.status, error);
    yield* data.items as Page["items"][number][];
    if (data.next_cursor) at = { cursor: data.next_cursor };
    // a list that pages by cursor too says its last page by a null cursor: its page count may be an estimate
    else if (!("next_cursor" in data) && data.page !== undefined && data.pages !== undefined && data.page < data.pages) at = { page: data.page + 1 };
    else return;
  }
}
