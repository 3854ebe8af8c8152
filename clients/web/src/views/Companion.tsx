export function Companion() {
  return <section class="column"><h2>Companion</h2></section>;
}
