import type { identity } from "@community/sdk";
import { multipart } from "@community/sdk";
import { session, useAction } from "../lib/app";
import { ChooseFile, fileRefusal, pictureRule } from "../lib/file";
import { usePicture } from "../lib/picture";
import { problemText } from "../lib/session";
import { Failure } from "../lib/said";

type User = identity.components["schemas"]["UserDto"];

/**
 * Your profile picture: shown, replaced by a file chosen (JPEG, PNG or WebP up to 2 MB; checked here first, then by
 * identity, which re-encodes it) or removed. Each change is made against the profile version loaded (If-Match), as the
 * profile's fields are; `changed` gets the new version, or null when it should be loaded again.
 */
export function ProfilePicture({ user, etag, changed }: { user: User; etag: string | null; changed: (user: User | null, etag: string | null) => void }) {
  // the profile's version: a replaced upload keeps its address, and shows at once
  const picture = usePicture(user.id, user.profile_image_url, etag);
  const { busy, error, setError, run } = useAction();

  function refused(response: Response, problem: unknown, fallback: string) {
    if (response.status !== 412) return setError(problemText(problem, response, fallback));
    setError("Your profile was changed elsewhere (another tab or device) since this page loaded. It is loaded again: try once more.");
    changed(null, null);
  }

  const upload = (file: File) =>
    run(async () => {
      const wrong = fileRefusal(file, pictureRule);
      if (wrong) return setError(wrong);
      const { data, error, response } = await session.api.identity.PUT("/api/v1/users/me/picture", {
        params: { header: { "If-Match": etag ?? "*" } },
        body: { file },
        bodySerializer: multipart,
      });
      if (data) changed(data, response.headers.get("ETag"));
      else refused(response, error, "The picture was not accepted.");
    });

  const remove = () =>
    run(async () => {
      const { error, response } = await session.api.identity.DELETE("/api/v1/users/me/picture", { params: { header: { "If-Match": etag ?? "*" } } });
      if (response.ok) changed(null, null);
      else refused(response, error, "The picture was not removed.");
    });

  return (
    <div class="picture" aria-busy={busy}>
      {picture ? <img src={picture} alt="Your profile picture" width={96} height={96} /> : <div class="picture-none" aria-hidden="true" />}
      <div>
        <ChooseFile label={user.profile_image_url ? "Choose another picture" : "Choose a picture"} rule={pictureRule} busy={busy} chosen={(file) => void upload(file)} />
        {user.profile_image_url && (
          <button type="button" class="small secondary" disabled={busy} onClick={() => void remove()}>
            Remove the picture
          </button>
        )}
        <Failure text={error} />
      </div>
    </div>
  );
}
