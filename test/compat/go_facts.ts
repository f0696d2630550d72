/**
 * What the CMS Go tools printed and sent, recorded: nats-sub and nats-pub built from
 * dmwm/CMSMonitoring 2eb25249 (src/go/NATS, unchanged) with Debian's Go 1.19.8 and nats.go 1.22.1, as
 * REFERENCE.md section 2a says, and run against a local nats-server (127.0.0.1:4222; the Go tools
 * always add :4222) and a node:http server that recorded every request. Placeholders: <PORT> the HTTP
 * server's port, <TIME> Go's log timestamp. `published` went out in order (windows of stats cases
 * were closed by one more message, as the Go tool needs); `exit` is absent where the tool kept
 * running and was stopped.
 */
export interface GoFact {
  id: string;
  description: string;
  /** Go's arguments, as given (the first is not the program). */
  args: string[];
  published: { subject: string; payload: string }[];
  stdout: string;
  stderr: string;
  exit?: number;
  /** HTTP requests it sent, sorted by body. */
  requests?: { method: string; url: string; body: string }[];
  tool?: "nats-pub";
}

export const GO_FACTS: Record<string, GoFact> = {
  "01-showStats-no-statsBy": {
    "id": "01-showStats-no-statsBy",
    "description": "-showStats without -statsBy: count(subject) N per window",
    "args": [
      "-s",
      "127.0.0.1",
      "-showStats",
      "-statsInterval",
      "1",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL17SIM   exitCode:8028   site:T2_CH_CERN"
      },
      {
        "subject": "cms.wmarchive.exitCode.99999",
        "payload": "campaign:CLOSER   exitCode:99999   site:CLOSER_SITE"
      },
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      },
      {
        "subject": "cms.wmarchive.exitCode.99999",
        "payload": "campaign:CLOSER   exitCode:99999   site:CLOSER_SITE"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\ncount(cms.wmarchive.exitCode.>) 3\ncount(cms.wmarchive.exitCode.>) 2\n"
  },
  "02-showStats-statsBy-site": {
    "id": "02-showStats-statsBy-site",
    "description": "-showStats -statsBy site: count line on stderr, sorted `value: count` lines on stdout",
    "args": [
      "-s",
      "127.0.0.1",
      "-showStats",
      "-statsBy",
      "site",
      "-statsInterval",
      "1",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      },
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      },
      {
        "subject": "cms.wmarchive.exitCode.1",
        "payload": "campaign:X   exitCode:1   site:t3_lowercase"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL17SIM   exitCode:8028   site:T2_CH_CERN"
      },
      {
        "subject": "cms.wmarchive.exitCode.50660",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:50660"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      },
      {
        "subject": "cms.wmarchive.exitCode.1",
        "payload": "campaign:X   exitCode:1   site:Z_last_upper"
      },
      {
        "subject": "cms.wmarchive.exitCode.99999",
        "payload": "campaign:CLOSER   exitCode:99999   site:CLOSER_SITE"
      },
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      },
      {
        "subject": "cms.wmarchive.exitCode.99999",
        "payload": "campaign:CLOSER   exitCode:99999   site:CLOSER_SITE"
      }
    ],
    "stdout": ": 1\nT1_FR_CCIN2P3: 1\nT2_CH_CERN: 1\nT2_US_MIT: 2\nZ_last_upper: 1\nt3_lowercase: 1\nT1_FR_CCIN2P3: 1\n",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\ncount(cms.wmarchive.exitCode.>) 7\ncount(cms.wmarchive.exitCode.>) 1\n"
  },
  "03a2-gateway-no-statsBy-no-showStats": {
    "id": "03a2-gateway-no-statsBy-no-showStats",
    "description": "-gatewayUri without -statsBy and without -showStats: messages printed, no HTTP request",
    "args": [
      "-s",
      "127.0.0.1",
      "-gatewayUri",
      "http://127.0.0.1:<PORT>",
      "-statsInterval",
      "1",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      },
      {
        "subject": "cms.wmarchive.exitCode.99999",
        "payload": "campaign:CLOSER   exitCode:99999   site:CLOSER_SITE"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\nRunIISummer20UL18SIM 60450 T1_FR_CCIN2P3\nRunIISummer20UL18SIM 8028 T2_US_MIT\nCLOSER 99999 CLOSER_SITE\n"
  },
  "03b-gateway-statsBy-site": {
    "id": "03b-gateway-statsBy-site",
    "description": "-gatewayUri -statsBy site -showStats: one POST per key",
    "args": [
      "-s",
      "127.0.0.1",
      "-showStats",
      "-statsBy",
      "site",
      "-gatewayUri",
      "http://127.0.0.1:<PORT>",
      "-statsInterval",
      "1",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      },
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      },
      {
        "subject": "cms.wmarchive.exitCode.50660",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:50660"
      },
      {
        "subject": "cms.wmarchive.exitCode.0",
        "payload": "garbage"
      },
      {
        "subject": "cms.wmarchive.exitCode.99999",
        "payload": "campaign:CLOSER   exitCode:99999   site:CLOSER_SITE"
      }
    ],
    "stdout": ": 2\nT1_FR_CCIN2P3: 1\nT2_US_MIT: 2\n",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\ncount(cms.wmarchive.exitCode.>) 5\n",
    "requests": [
      {
        "method": "POST",
        "url": "/metrics/job/cms_wmarchive_exitCode_metric",
        "body": "cms_wmarchive_exitCode_metric_ 2\n"
      },
      {
        "method": "POST",
        "url": "/metrics/job/cms_wmarchive_exitCode_metric",
        "body": "cms_wmarchive_exitCode_metric_T1_FR_CCIN2P3 1\n"
      },
      {
        "method": "POST",
        "url": "/metrics/job/cms_wmarchive_exitCode_metric",
        "body": "cms_wmarchive_exitCode_metric_T2_US_MIT 2\n"
      }
    ]
  },
  "04-gatewayJob": {
    "id": "04-gatewayJob",
    "description": "-gatewayJob 'my.job>x' -statsBy site",
    "args": [
      "-s",
      "127.0.0.1",
      "-showStats",
      "-statsBy",
      "site",
      "-gatewayJob",
      "my.job>x",
      "-gatewayUri",
      "http://127.0.0.1:<PORT>",
      "-statsInterval",
      "1",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      },
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      },
      {
        "subject": "cms.wmarchive.exitCode.50660",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:50660"
      },
      {
        "subject": "cms.wmarchive.exitCode.99999",
        "payload": "campaign:CLOSER   exitCode:99999   site:CLOSER_SITE"
      }
    ],
    "stdout": ": 1\nT1_FR_CCIN2P3: 1\nT2_US_MIT: 2\n",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\ncount(cms.wmarchive.exitCode.>) 4\n",
    "requests": [
      {
        "method": "POST",
        "url": "/metrics/job/my_jobmetricx",
        "body": "my_jobmetricx_ 1\n"
      },
      {
        "method": "POST",
        "url": "/metrics/job/my_jobmetricx",
        "body": "my_jobmetricx_T1_FR_CCIN2P3 1\n"
      },
      {
        "method": "POST",
        "url": "/metrics/job/my_jobmetricx",
        "body": "my_jobmetricx_T2_US_MIT 2\n"
      }
    ]
  },
  "05a-vmUri": {
    "id": "05a-vmUri",
    "description": "-vmUri: one POST /api/put per message",
    "args": [
      "-s",
      "127.0.0.1",
      "-vmUri",
      "http://127.0.0.1:<PORT>",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      },
      {
        "subject": "cms.wmarchive.exitCode.50660",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:50660"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\nRunIISummer20UL18SIM 60450 T1_FR_CCIN2P3\nRunIISummer20UL18SIM 8028 T2_US_MIT\nRunIISummer20UL18SIM 50660\n",
    "requests": [
      {
        "method": "POST",
        "url": "/api/put",
        "body": "{\"metric\":\"cms.wmarchive.exitCode\",\"value\":1,\"tags\":{\"campaign\":\"RunIISummer20UL18SIM\",\"exitCode\":\"50660\"}}"
      },
      {
        "method": "POST",
        "url": "/api/put",
        "body": "{\"metric\":\"cms.wmarchive.exitCode\",\"value\":1,\"tags\":{\"campaign\":\"RunIISummer20UL18SIM\",\"exitCode\":\"60450\",\"site\":\"T1_FR_CCIN2P3\"}}"
      },
      {
        "method": "POST",
        "url": "/api/put",
        "body": "{\"metric\":\"cms.wmarchive.exitCode\",\"value\":1,\"tags\":{\"campaign\":\"RunIISummer20UL18SIM\",\"exitCode\":\"8028\",\"site\":\"T2_US_MIT\"}}"
      }
    ]
  },
  "05b-vmUri-star-subject": {
    "id": "05b-vmUri-star-subject",
    "description": "-vmUri metric for subject `cms.*.exitCode.>` and `cms.wmarchive.>`",
    "args": [
      "-s",
      "127.0.0.1",
      "-vmUri",
      "http://127.0.0.1:<PORT>",
      "cms.*.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.*.exitCode.>]\nRunIISummer20UL18SIM 8028 T2_US_MIT\n",
    "requests": [
      {
        "method": "POST",
        "url": "/api/put",
        "body": "{\"metric\":\"cms..exitCode\",\"value\":1,\"tags\":{\"campaign\":\"RunIISummer20UL18SIM\",\"exitCode\":\"8028\",\"site\":\"T2_US_MIT\"}}"
      }
    ]
  },
  "06a-attrs-order": {
    "id": "06a-attrs-order",
    "description": "-attrs site,exitCode prints in payload order",
    "args": [
      "-s",
      "127.0.0.1",
      "-attrs",
      "site,exitCode",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\n60450 T1_FR_CCIN2P3\n"
  },
  "06c-attrs-duplicate-key": {
    "id": "06c-attrs-duplicate-key",
    "description": "-attrs site,exitCode with duplicate key payload",
    "args": [
      "-s",
      "127.0.0.1",
      "-attrs",
      "site,exitCode",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.5",
        "payload": "site:A   site:B   exitCode:5"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\nA B 5\n"
  },
  "06d-default-duplicate-key": {
    "id": "06d-default-duplicate-key",
    "description": "default output with duplicate key payload",
    "args": [
      "-s",
      "127.0.0.1",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.5",
        "payload": "site:A   site:B   exitCode:5"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\nA B 5\n"
  },
  "07c-default-trailing-newline": {
    "id": "07c-default-trailing-newline",
    "description": "payload ending in \\n then a normal one",
    "args": [
      "-s",
      "127.0.0.1",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.1",
        "payload": "exitCode:1   site:X\n"
      },
      {
        "subject": "cms.wmarchive.exitCode.2",
        "payload": "exitCode:2   site:Y"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\n1 X\n2 Y\n"
  },
  "07d-raw": {
    "id": "07d-raw",
    "description": "-raw output",
    "args": [
      "-s",
      "127.0.0.1",
      "-raw",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL17SIM   exitCode:8028   site:T2_CH_CERN"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\n[#1] [cms.wmarchive.exitCode.60450] 'campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3'\n[#2] [cms.wmarchive.exitCode.8028] 'campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT'\n[#3] [cms.wmarchive.exitCode.8028] 'campaign:RunIISummer20UL17SIM   exitCode:8028   site:T2_CH_CERN'\n"
  },
  "07e-raw-t": {
    "id": "07e-raw-t",
    "description": "-raw -t output",
    "args": [
      "-s",
      "127.0.0.1",
      "-raw",
      "-t",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\n<TIME> [#1] [cms.wmarchive.exitCode.60450] 'campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3'\n<TIME> [#2] [cms.wmarchive.exitCode.8028] 'campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT'\n"
  },
  "07f-t": {
    "id": "07f-t",
    "description": "-t default output",
    "args": [
      "-s",
      "127.0.0.1",
      "-t",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\n<TIME> RunIISummer20UL18SIM 60450 T1_FR_CCIN2P3\n"
  },
  "07g-percent": {
    "id": "07g-percent",
    "description": "payload with % is used as printf format (default output)",
    "args": [
      "-s",
      "127.0.0.1",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.1",
        "payload": "exitCode:1   site:T2_%s_MIT   eff:100%   x:%d%%"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\n1 T2_%!s(MISSING)_MIT 100%d%\n"
  },
  "07h-colon-value": {
    "id": "07h-colon-value",
    "description": "default output with value containing ':'",
    "args": [
      "-s",
      "127.0.0.1",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.1",
        "payload": "exitCode:1   lfn:srm://host.cern.ch:8443/store/x.root   site:T2_X"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\n1 srm://host.cern.ch:8443/store/x.root T2_X\n"
  },
  "08a-showStats-malformed": {
    "id": "08a-showStats-malformed",
    "description": "-showStats count includes malformed payloads",
    "args": [
      "-s",
      "127.0.0.1",
      "-showStats",
      "-statsInterval",
      "1",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      },
      {
        "subject": "cms.wmarchive.exitCode.0",
        "payload": "garbage"
      },
      {
        "subject": "cms.wmarchive.exitCode.0",
        "payload": "{bad"
      },
      {
        "subject": "cms.wmarchive.exitCode.0",
        "payload": ""
      },
      {
        "subject": "cms.wmarchive.exitCode.0",
        "payload": "{\"Site\":\"T2_US_MIT\",\"ExitCode\":8028}"
      },
      {
        "subject": "cms.wmarchive.exitCode.99999",
        "payload": "campaign:CLOSER   exitCode:99999   site:CLOSER_SITE"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\ncount(cms.wmarchive.exitCode.>) 5\n"
  },
  "09-statsBy-comma-list": {
    "id": "09-statsBy-comma-list",
    "description": "-statsBy site,exitCode: one literal key name 'site,exitCode' => everything under ''",
    "args": [
      "-s",
      "127.0.0.1",
      "-showStats",
      "-statsBy",
      "site,exitCode",
      "-statsInterval",
      "1",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:8028   site:T2_US_MIT"
      },
      {
        "subject": "cms.wmarchive.exitCode.8028",
        "payload": "campaign:RunIISummer20UL17SIM   exitCode:8028   site:T2_CH_CERN"
      },
      {
        "subject": "cms.wmarchive.exitCode.99999",
        "payload": "campaign:CLOSER   exitCode:99999   site:CLOSER_SITE"
      }
    ],
    "stdout": ": 3\n",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\ncount(cms.wmarchive.exitCode.>) 3\n"
  },
  "10a-help": {
    "id": "10a-help",
    "description": "-help",
    "args": [
      "-help"
    ],
    "published": [],
    "stdout": "",
    "stderr": "Usage: nats-sub [-s server] [-creds file] [-t] <subject>\n  -attrs string\n    \tcomma separated list of attributes to show, e.g. campaign,dataset\n  -cmsAuth string\n    \tUser cms auth file\n  -creds string\n    \tUser NSC credentials\n  -gatewayInstance string\n    \tgateway instance name\n  -gatewayJob string\n    \tgateway job name\n  -gatewayUri string\n    \tURI of gateway server\n  -h\tShow help message\n  -raw\n    \tShow raw messages\n  -rootCAs string\n    \tComma separated list of CERN Root CAs files\n  -s string\n    \tThe nats server URLs (separated by comma) (default \"cms-nats.cern.ch\")\n  -sep string\n    \tmessage attribute separator, default 3 spaces (default \"   \")\n  -showStats\n    \tShow stats instead of messages\n  -statsBy string\n    \tShow stats by given attribute\n  -statsInterval int\n    \tstats collect interval in seconds (default 10)\n  -t\tDisplay timestamps\n  -userCert string\n    \tx509 user certificate\n  -userKey string\n    \tx509 user key file\n  -vmUri string\n    \tVictoriaMetrics URI\n",
    "exit": 0
  },
  "10d-s-equals": {
    "id": "10d-s-equals",
    "description": "-s=127.0.0.1",
    "args": [
      "-s=127.0.0.1",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\nRunIISummer20UL18SIM 60450 T1_FR_CCIN2P3\n"
  },
  "10e-raw-true": {
    "id": "10e-raw-true",
    "description": "-raw=true",
    "args": [
      "-s",
      "127.0.0.1",
      "-raw=true",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\n[#1] [cms.wmarchive.exitCode.60450] 'campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3'\n"
  },
  "10f-t-false": {
    "id": "10f-t-false",
    "description": "-t=false",
    "args": [
      "-s",
      "127.0.0.1",
      "-t=false",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\nRunIISummer20UL18SIM 60450 T1_FR_CCIN2P3\n"
  },
  "10g-dashdash-raw": {
    "id": "10g-dashdash-raw",
    "description": "--raw",
    "args": [
      "-s",
      "127.0.0.1",
      "--raw",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [
      {
        "subject": "cms.wmarchive.exitCode.60450",
        "payload": "campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3"
      }
    ],
    "stdout": "",
    "stderr": "Listening on [127.0.0.1/cms.wmarchive.exitCode.>]\n[#1] [cms.wmarchive.exitCode.60450] 'campaign:RunIISummer20UL18SIM   exitCode:60450   site:T1_FR_CCIN2P3'\n"
  },
  "10i-typo-showstats": {
    "id": "10i-typo-showstats",
    "description": "-showstats (typo)",
    "args": [
      "-s",
      "127.0.0.1",
      "-showstats",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [],
    "stdout": "",
    "stderr": "flag provided but not defined: -showstats\nUsage: nats-sub [-s server] [-creds file] [-t] <subject>\n  -attrs string\n    \tcomma separated list of attributes to show, e.g. campaign,dataset\n  -cmsAuth string\n    \tUser cms auth file\n  -creds string\n    \tUser NSC credentials\n  -gatewayInstance string\n    \tgateway instance name\n  -gatewayJob string\n    \tgateway job name\n  -gatewayUri string\n    \tURI of gateway server\n  -h\tShow help message\n  -raw\n    \tShow raw messages\n  -rootCAs string\n    \tComma separated list of CERN Root CAs files\n  -s string\n    \tThe nats server URLs (separated by comma) (default \"cms-nats.cern.ch\")\n  -sep string\n    \tmessage attribute separator, default 3 spaces (default \"   \")\n  -showStats\n    \tShow stats instead of messages\n  -statsBy string\n    \tShow stats by given attribute\n  -statsInterval int\n    \tstats collect interval in seconds (default 10)\n  -t\tDisplay timestamps\n  -userCert string\n    \tx509 user certificate\n  -userKey string\n    \tx509 user key file\n  -vmUri string\n    \tVictoriaMetrics URI\n",
    "exit": 2
  },
  "10j-typo-statsby": {
    "id": "10j-typo-statsby",
    "description": "-statsby x (typo)",
    "args": [
      "-s",
      "127.0.0.1",
      "-statsby",
      "x",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [],
    "stdout": "",
    "stderr": "flag provided but not defined: -statsby\nUsage: nats-sub [-s server] [-creds file] [-t] <subject>\n  -attrs string\n    \tcomma separated list of attributes to show, e.g. campaign,dataset\n  -cmsAuth string\n    \tUser cms auth file\n  -creds string\n    \tUser NSC credentials\n  -gatewayInstance string\n    \tgateway instance name\n  -gatewayJob string\n    \tgateway job name\n  -gatewayUri string\n    \tURI of gateway server\n  -h\tShow help message\n  -raw\n    \tShow raw messages\n  -rootCAs string\n    \tComma separated list of CERN Root CAs files\n  -s string\n    \tThe nats server URLs (separated by comma) (default \"cms-nats.cern.ch\")\n  -sep string\n    \tmessage attribute separator, default 3 spaces (default \"   \")\n  -showStats\n    \tShow stats instead of messages\n  -statsBy string\n    \tShow stats by given attribute\n  -statsInterval int\n    \tstats collect interval in seconds (default 10)\n  -t\tDisplay timestamps\n  -userCert string\n    \tx509 user certificate\n  -userKey string\n    \tx509 user key file\n  -vmUri string\n    \tVictoriaMetrics URI\n",
    "exit": 2
  },
  "10n-statsInterval-bad": {
    "id": "10n-statsInterval-bad",
    "description": "-statsInterval abc",
    "args": [
      "-s",
      "127.0.0.1",
      "-statsInterval",
      "abc",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [],
    "stdout": "",
    "stderr": "invalid value \"abc\" for flag -statsInterval: parse error\nUsage: nats-sub [-s server] [-creds file] [-t] <subject>\n  -attrs string\n    \tcomma separated list of attributes to show, e.g. campaign,dataset\n  -cmsAuth string\n    \tUser cms auth file\n  -creds string\n    \tUser NSC credentials\n  -gatewayInstance string\n    \tgateway instance name\n  -gatewayJob string\n    \tgateway job name\n  -gatewayUri string\n    \tURI of gateway server\n  -h\tShow help message\n  -raw\n    \tShow raw messages\n  -rootCAs string\n    \tComma separated list of CERN Root CAs files\n  -s string\n    \tThe nats server URLs (separated by comma) (default \"cms-nats.cern.ch\")\n  -sep string\n    \tmessage attribute separator, default 3 spaces (default \"   \")\n  -showStats\n    \tShow stats instead of messages\n  -statsBy string\n    \tShow stats by given attribute\n  -statsInterval int\n    \tstats collect interval in seconds (default 10)\n  -t\tDisplay timestamps\n  -userCert string\n    \tx509 user certificate\n  -userKey string\n    \tx509 user key file\n  -vmUri string\n    \tVictoriaMetrics URI\n",
    "exit": 2
  },
  "10o-raw-bad-bool": {
    "id": "10o-raw-bad-bool",
    "description": "-raw=yes",
    "args": [
      "-s",
      "127.0.0.1",
      "-raw=yes",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [],
    "stdout": "",
    "stderr": "invalid boolean value \"yes\" for -raw: parse error\nUsage: nats-sub [-s server] [-creds file] [-t] <subject>\n  -attrs string\n    \tcomma separated list of attributes to show, e.g. campaign,dataset\n  -cmsAuth string\n    \tUser cms auth file\n  -creds string\n    \tUser NSC credentials\n  -gatewayInstance string\n    \tgateway instance name\n  -gatewayJob string\n    \tgateway job name\n  -gatewayUri string\n    \tURI of gateway server\n  -h\tShow help message\n  -raw\n    \tShow raw messages\n  -rootCAs string\n    \tComma separated list of CERN Root CAs files\n  -s string\n    \tThe nats server URLs (separated by comma) (default \"cms-nats.cern.ch\")\n  -sep string\n    \tmessage attribute separator, default 3 spaces (default \"   \")\n  -showStats\n    \tShow stats instead of messages\n  -statsBy string\n    \tShow stats by given attribute\n  -statsInterval int\n    \tstats collect interval in seconds (default 10)\n  -t\tDisplay timestamps\n  -userCert string\n    \tx509 user certificate\n  -userKey string\n    \tx509 user key file\n  -vmUri string\n    \tVictoriaMetrics URI\n",
    "exit": 2
  },
  "10p-flag-missing-value": {
    "id": "10p-flag-missing-value",
    "description": "-attrs as last arg with no value",
    "args": [
      "-s",
      "127.0.0.1",
      "-attrs"
    ],
    "published": [],
    "stdout": "",
    "stderr": "flag needs an argument: -attrs\nUsage: nats-sub [-s server] [-creds file] [-t] <subject>\n  -attrs string\n    \tcomma separated list of attributes to show, e.g. campaign,dataset\n  -cmsAuth string\n    \tUser cms auth file\n  -creds string\n    \tUser NSC credentials\n  -gatewayInstance string\n    \tgateway instance name\n  -gatewayJob string\n    \tgateway job name\n  -gatewayUri string\n    \tURI of gateway server\n  -h\tShow help message\n  -raw\n    \tShow raw messages\n  -rootCAs string\n    \tComma separated list of CERN Root CAs files\n  -s string\n    \tThe nats server URLs (separated by comma) (default \"cms-nats.cern.ch\")\n  -sep string\n    \tmessage attribute separator, default 3 spaces (default \"   \")\n  -showStats\n    \tShow stats instead of messages\n  -statsBy string\n    \tShow stats by given attribute\n  -statsInterval int\n    \tstats collect interval in seconds (default 10)\n  -t\tDisplay timestamps\n  -userCert string\n    \tx509 user certificate\n  -userKey string\n    \tx509 user key file\n  -vmUri string\n    \tVictoriaMetrics URI\n",
    "exit": 2
  },
  "10s-triple-dash": {
    "id": "10s-triple-dash",
    "description": "---raw",
    "args": [
      "-s",
      "127.0.0.1",
      "---raw",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [],
    "stdout": "",
    "stderr": "bad flag syntax: ---raw\nUsage: nats-sub [-s server] [-creds file] [-t] <subject>\n  -attrs string\n    \tcomma separated list of attributes to show, e.g. campaign,dataset\n  -cmsAuth string\n    \tUser cms auth file\n  -creds string\n    \tUser NSC credentials\n  -gatewayInstance string\n    \tgateway instance name\n  -gatewayJob string\n    \tgateway job name\n  -gatewayUri string\n    \tURI of gateway server\n  -h\tShow help message\n  -raw\n    \tShow raw messages\n  -rootCAs string\n    \tComma separated list of CERN Root CAs files\n  -s string\n    \tThe nats server URLs (separated by comma) (default \"cms-nats.cern.ch\")\n  -sep string\n    \tmessage attribute separator, default 3 spaces (default \"   \")\n  -showStats\n    \tShow stats instead of messages\n  -statsBy string\n    \tShow stats by given attribute\n  -statsInterval int\n    \tstats collect interval in seconds (default 10)\n  -t\tDisplay timestamps\n  -userCert string\n    \tx509 user certificate\n  -userKey string\n    \tx509 user key file\n  -vmUri string\n    \tVictoriaMetrics URI\n",
    "exit": 2
  },
  "10k-missing-subject": {
    "id": "10k-missing-subject",
    "description": "no subject",
    "args": [
      "-s",
      "127.0.0.1"
    ],
    "published": [],
    "stdout": "",
    "stderr": "Usage: nats-sub [-s server] [-creds file] [-t] <subject>\n  -attrs string\n    \tcomma separated list of attributes to show, e.g. campaign,dataset\n  -cmsAuth string\n    \tUser cms auth file\n  -creds string\n    \tUser NSC credentials\n  -gatewayInstance string\n    \tgateway instance name\n  -gatewayJob string\n    \tgateway job name\n  -gatewayUri string\n    \tURI of gateway server\n  -h\tShow help message\n  -raw\n    \tShow raw messages\n  -rootCAs string\n    \tComma separated list of CERN Root CAs files\n  -s string\n    \tThe nats server URLs (separated by comma) (default \"cms-nats.cern.ch\")\n  -sep string\n    \tmessage attribute separator, default 3 spaces (default \"   \")\n  -showStats\n    \tShow stats instead of messages\n  -statsBy string\n    \tShow stats by given attribute\n  -statsInterval int\n    \tstats collect interval in seconds (default 10)\n  -t\tDisplay timestamps\n  -userCert string\n    \tx509 user certificate\n  -userKey string\n    \tx509 user key file\n  -vmUri string\n    \tVictoriaMetrics URI\n",
    "exit": 1
  },
  "11-creds-missing-file": {
    "id": "11-creds-missing-file",
    "description": "-creds /etc/nats/no-such.creds: treated as a literal auth string in the URL",
    "args": [
      "-s",
      "127.0.0.1",
      "-creds",
      "/etc/nats/no-such.creds",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [],
    "stdout": "",
    "stderr": "dial tcp: missing address\n",
    "exit": 1
  },
  "12a-pub": {
    "id": "12a-pub",
    "description": "nats-pub one message",
    "args": [
      "-s",
      "127.0.0.1",
      "cms.test",
      "exitCode:1"
    ],
    "published": [],
    "stdout": "",
    "stderr": "Published on [127.0.0.1/cms.test]: 'exitCode:1'\n",
    "exit": 0,
    "tool": "nats-pub"
  },
  "12b-pub-h": {
    "id": "12b-pub-h",
    "description": "nats-pub -h",
    "args": [
      "-h"
    ],
    "published": [],
    "stdout": "",
    "stderr": "Usage: nats-pub [-s server] [-creds file] <subject> <msg>\n  -cmsAuth string\n    \tUser cms auth file\n  -creds string\n    \tUser NSC credentials\n  -h\tShow help message\n  -rootCAs string\n    \tComma separated list of CERN Root CAs files\n  -s string\n    \tThe nats server URLs (separated by comma) (default \"cms-nats.cern.ch\")\n  -userCert string\n    \tx509 user certificate\n  -userKey string\n    \tx509 user key file\n",
    "exit": 0,
    "tool": "nats-pub"
  },
  "13-s-with-port": {
    "id": "13-s-with-port",
    "description": "-s 127.0.0.1:4222 (Go appends :4222 again)",
    "args": [
      "-s",
      "127.0.0.1:4222",
      "cms.wmarchive.exitCode.>"
    ],
    "published": [],
    "stdout": "",
    "stderr": "dial tcp: address 127.0.0.1:4222:4222: too many colons in address\n",
    "exit": 1
  }
};
