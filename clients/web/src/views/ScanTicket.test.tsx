import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ScanTicket } from "./ScanTicket";

const videoPlaying: Record<string, PropertyDescriptor> = {
  play: { value: () => Promise.resolve() },
  srcObject: { get: () => null, set: () => undefined },
  videoWidth: { get: () => 4 },
  videoHeight: { get: () => 4 },
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  for (const name of Object.keys(videoPlaying)) Reflect.deleteProperty(HTMLVideoElement.prototype, name);
});

/**
 * A camera as the browser hands it over (or refuses it), and frames a page can draw: 4x4 pixels each. Records whether
 * its track was stopped.
 */
function camera(refused = false) {
  const track = { stop: vi.fn() };
  const stream = { getTracks: () => [track] };
  const getUserMedia = vi.fn(async () => {
    if (refused) throw new DOMException("Permission denied", "NotAllowedError");
    return stream;
  });
  vi.stubGlobal("navigator", Object.assign(Object.create(navigator), { mediaDevices: { getUserMedia } }));
  // what a playing video has and the test DOM lacks
  for (const [name, value] of Object.entries(videoPlaying))
    Object.defineProperty(HTMLVideoElement.prototype, name, { configurable: true, ...value });
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue({
    drawImage: () => undefined,
    getImageData: () => ({ data: new Uint8ClampedArray(4 * 4 * 4) }),
  } as unknown as CanvasRenderingContext2D);
  return { track, getUserMedia };
}

describe("ScanTicket", () => {
  it("reads the QR code the camera sees, hands it over once and turns the camera off", async () => {
    const { track, getUserMedia } = camera();
    const frames = [null, null, "CT1.payload.signature"];
    const decode = vi.fn(() => frames.shift() ?? null);
    const read = vi.fn();
    render(<ScanTicket read={read} decoder={async () => decode} />);

    fireEvent.click(screen.getByRole("button", { name: "Scan a ticket with the camera" }));
    expect(await screen.findByLabelText("The camera, looking for a ticket's QR code")).toBeTruthy();
    await waitFor(() => expect(read).toHaveBeenCalledWith("CT1.payload.signature"), { timeout: 3000 });

    expect(read).toHaveBeenCalledTimes(1);
    expect(decode).toHaveBeenCalledTimes(3);
    expect(getUserMedia).toHaveBeenCalledWith({ video: { facingMode: "environment" }, audio: false });
    await waitFor(() => expect(track.stop).toHaveBeenCalled());
    expect(screen.queryByLabelText("The camera, looking for a ticket's QR code")).toBeNull();
    expect(screen.getByRole("button", { name: "Scan a ticket with the camera" })).toBeTruthy();
  });

  it("turns the camera off when stopped, having read nothing", async () => {
    const { track } = camera();
    const read = vi.fn();
    render(<ScanTicket read={read} decoder={async () => () => null} />);
    fireEvent.click(screen.getByRole("button", { name: "Scan a ticket with the camera" }));
    await screen.findByLabelText("The camera, looking for a ticket's QR code");

    fireEvent.click(screen.getByRole("button", { name: "Stop the camera" }));
    await waitFor(() => expect(track.stop).toHaveBeenCalled());
    expect(read).not.toHaveBeenCalled();
  });

  it("says a camera refused, and leaves typing the code", async () => {
    camera(true);
    render(<ScanTicket read={vi.fn()} decoder={async () => () => null} />);
    fireEvent.click(screen.getByRole("button", { name: "Scan a ticket with the camera" }));

    expect((await screen.findByRole("alert")).textContent).toMatch(/^The camera could not be opened/);
    expect(screen.getByRole("button", { name: "Scan a ticket with the camera" })).toBeTruthy();
  });

  it("is not offered where the browser cannot open a camera", () => {
    vi.stubGlobal("navigator", Object.assign(Object.create(navigator), { mediaDevices: undefined }));
    render(<ScanTicket read={vi.fn()} />);
    expect(screen.queryByRole("button")).toBeNull();
  });
});
