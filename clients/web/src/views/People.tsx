export function People(_: { userId?: string }) {
  return <section class="column"><h2>People</h2></section>;
}
