"""Start an S3 server (moto) on a loopback port with the test bucket, for the
object-storage pass of CI: prints `export QMS_TEST_S3_ENDPOINT=...` and the
server's pid, then keeps serving until killed.

    eval "$(.venv/bin/python bin/s3_test_server.py --port 5900 --daemon)"
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5900)
    parser.add_argument("--bucket", default="qms-test-files")
    parser.add_argument("--daemon", action="store_true", help="(the server always runs in the background)")
    args = parser.parse_args()
    server = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen([str(server), "-H", "127.0.0.1", "-p", str(args.port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    import boto3
    import botocore.exceptions

    endpoint = f"http://127.0.0.1:{args.port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="qms-test",
                          aws_secret_access_key="qms-test-secret")
    for _ in range(100):
        try:
            client.create_bucket(Bucket=args.bucket)
            break
        except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectionClosedError):
            time.sleep(0.2)
    else:
        proc.kill()
        print("echo 's3 test server did not start' >&2; false")
        return 1
    print(f"export QMS_TEST_S3_ENDPOINT={endpoint} QMS_TEST_S3_BUCKET={args.bucket} QMS_S3_SERVER_PID={proc.pid}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    sys.exit(main())
