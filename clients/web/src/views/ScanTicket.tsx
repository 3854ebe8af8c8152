import { useEffect, useRef, useState } from "preact/hooks";
import { Failure } from "../lib/said";

/** How often a frame of the camera is looked at for a QR code. */
const lookEveryMs = 200;

/** Finds a QR code's text in a frame's pixels (RGBA); jsQR, loaded only once the camera is on. */
export type Decode = (pixels: Uint8ClampedArray, width: number, height: number) => string | null;

async function jsQrDecoder(): Promise<Decode> {
  const { default: jsQR } = await import("jsqr");
  return (pixels, width, height) => jsQR(pixels, width, height, { inversionAttempts: "attemptBoth" })?.data || null;
}

/**
 * The door's camera: a ticket's QR code shown to it is read and handed to `read` (the check-in takes it as typed), and
 * the camera is turned off. Offered only where the browser can open a camera; with no camera, or none allowed, it says
 * so and the code can still be typed or scanned by a reader that types.
 */
export function ScanTicket({ read, decoder = jsQrDecoder }: { read: (payload: string) => void; decoder?: () => Promise<Decode> }) {
  const [scanning, setScanning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  // the latest `read`: the door's list and figures may have changed while the camera looked
  const reader = useRef(read);
  reader.current = read;

  useEffect(() => {
    if (!scanning) return;
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => stream?.getTracks().forEach((track) => track.stop());
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      } catch {
        setError("The camera could not be opened. Allow it in the browser, or type the ticket's code.");
        return setScanning(false);
      }
      if (stopped) return stop();
      const decode = await decoder();
      const shown = video.current;
      if (stopped || !shown) return stop();
      shown.srcObject = stream;
      await shown.play().catch(() => undefined);
      const canvas = document.createElement("canvas");
      const look = () => {
        if (stopped) return;
        const context = canvas.getContext("2d", { willReadFrequently: true });
        if (context && shown.videoWidth > 0) {
          canvas.width = shown.videoWidth;
          canvas.height = shown.videoHeight;
          context.drawImage(shown, 0, 0);
          const found = decode(context.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
          if (found) {
            setScanning(false);
            return reader.current(found);
          }
        }
        timer = setTimeout(look, lookEveryMs);
      };
      look();
    })().catch(() => {
      // a camera that opened and then failed (the decoder not loaded, the video refused): off, and said
      stop();
      if (stopped) return;
      setError("The camera could not be used. Type the ticket's code instead.");
      setScanning(false);
    });
    return () => {
      stopped = true;
      clearTimeout(timer);
      stop();
    };
  }, [scanning]);

  if (!navigator.mediaDevices?.getUserMedia) return null;
  return (
    <div class="scan">
      {scanning ? (
        <>
          <video ref={video} muted playsInline aria-label="The camera, looking for a ticket's QR code" />
          <button type="button" class="secondary" onClick={() => setScanning(false)}>
            Stop the camera
          </button>
        </>
      ) : (
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setError(null);
            setScanning(true);
          }}
        >
          Scan a ticket with the camera
        </button>
      )}
      <Failure text={error} />
    </div>
  );
}
