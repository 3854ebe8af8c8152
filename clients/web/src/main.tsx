import { render } from "preact";
import { App } from "./App";
import "./style.css";

render(<App />, document.getElementById("app")!);
// rendered synchronously: from here the first view answers input (the browser test reads this mark)
performance.mark("community:interactive");
