from recovery_desk.cli.main import main

raise SystemExit(main())
