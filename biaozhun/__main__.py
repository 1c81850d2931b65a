from biaozhun.manage import main

main()
