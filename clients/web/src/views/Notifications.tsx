export function Notifications() {
  return <section class="column"><h2>Notifications</h2></section>;
}
